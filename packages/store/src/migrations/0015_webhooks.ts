/**
 * Webhooks: endpoints a campaign's coordinator registers to hear of its notices — a signed
 * JSON POST (`webhook`), or the group robots of 企业微信 (`wecom`) and 钉钉 (`dingtalk`). Each
 * notice then gets one delivery per endpoint, through the same table, retries and parking as
 * email: `deliveries.webhook_id` names the endpoint, and such a delivery has no person.
 * An endpoint is never deleted, only marked removed: its deliveries and the journal name it.
 */
import { type Kysely, sql } from "kysely"

/** Adds the endpoints and lets a delivery go to one. */
export const up = async (db: Kysely<any>): Promise<void> => {
  await sql`
    create table webhooks (
      id bigserial primary key,
      campaign_id text not null references campaigns (id),
      kind text not null check (kind in ('webhook', 'wecom', 'dingtalk')),
      url text not null,
      events jsonb,
      secret text,
      created_by text not null,
      created_at timestamptz not null default now(),
      removed_by text,
      removed_at timestamptz
    );
    create index webhooks_by_campaign on webhooks (campaign_id) where removed_at is null;
    alter table deliveries drop constraint deliveries_channel_check;
    alter table deliveries add constraint deliveries_channel_check
      check (channel in ('email', 'in-app', 'webhook', 'wecom', 'dingtalk'));
    alter table deliveries alter column principal_id drop not null;
    alter table deliveries add column webhook_id bigint references webhooks (id);
    alter table deliveries add constraint deliveries_recipient
      check ((principal_id is null) <> (webhook_id is null));
    create unique index deliveries_per_endpoint on deliveries (notification_id, webhook_id)
      where webhook_id is not null;
  `.execute(db)
}

/** Drops them again (and any delivery to an endpoint). */
export const down = async (db: Kysely<any>): Promise<void> => {
  await sql`
    delete from deliveries where webhook_id is not null;
    drop index deliveries_per_endpoint;
    alter table deliveries drop constraint deliveries_recipient;
    alter table deliveries drop column webhook_id;
    alter table deliveries alter column principal_id set not null;
    alter table deliveries drop constraint deliveries_channel_check;
    alter table deliveries add constraint deliveries_channel_check check (channel in ('email', 'in-app'));
    drop table webhooks;
  `.execute(db)
}
