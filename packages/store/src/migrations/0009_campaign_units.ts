/**
 * Units belong to their campaign. One shared directory let any deploy rename and
 * re-parent a unit for every campaign naming it; now a unit row is keyed by its campaign
 * and the unit's key, and a deploy writes only its own campaign's rows. Each unit is
 * copied to every campaign whose current definition names it, with the name, level and
 * parent that definition gives it (a row another campaign's deploy overwrote gets its own
 * back); rows no current definition names are dropped. Principals keep their unit key as
 * an organisation key, without a foreign key: one office takes part in many campaigns.
 * No key to `campaigns` either: its row is hot (see 0006), and units are written only by
 * the deploy that holds it.
 */
import { type Kysely, sql } from "kysely"

/** Keys units by campaign and copies each to the campaigns naming it. */
export const up = async (db: Kysely<any>): Promise<void> => {
  await sql`
    alter table principals drop constraint principals_unit_key_fkey;
    alter table units drop constraint units_parent_key_fkey, drop constraint units_pkey;
    alter table units add column campaign_id text;
    insert into units (campaign_id, key, name, name_en, parent_key, level, created_at)
      select c.id, u.value->>'key', u.value->>'name', u.value->>'nameEn', u.value->>'parent', u.value->>'level',
        coalesce(g.created_at, now())
      from campaigns c
      join definitions d on d.id = c.definition_id
      cross join lateral jsonb_array_elements(d.body->'units') as u(value)
      left join units g on g.campaign_id is null and g.key = u.value->>'key';
    delete from units where campaign_id is null;
    alter table units alter column campaign_id set not null;
    alter table units add primary key (campaign_id, key),
      add constraint units_parent_fkey foreign key (campaign_id, parent_key) references units (campaign_id, key);
    create index units_key on units (key);
  `.execute(db)
}

/** One row a key again: the one of the campaign deployed last. */
export const down = async (db: Kysely<any>): Promise<void> => {
  await sql`
    drop index units_key;
    alter table units drop constraint units_parent_fkey, drop constraint units_pkey;
    delete from units where ctid in (
      select ctid from (
        select u.ctid, row_number() over (
          partition by u.key order by c.definition_id desc nulls last, u.campaign_id
        ) as n
        from units u left join campaigns c on c.id = u.campaign_id
      ) ranked
      where n > 1
    );
    alter table units drop column campaign_id;
    alter table units add primary key (key),
      add constraint units_parent_key_fkey foreign key (parent_key) references units (key);
    alter table principals add constraint principals_unit_key_fkey foreign key (unit_key) references units (key);
  `.execute(db)
}
