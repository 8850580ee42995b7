//! Choosing a salesperson and finding their WhatsApp number.
//!
//! The least-loaded member of a sales team is the one with the fewest open
//! opportunities in the pipeline stages that count (ties: lowest user id; members with
//! none are eligible; archived users are not). Three calls: the team's members, the
//! members (with their phones, read once here for the hand-off), and the `user_id` of
//! every counted opportunity of theirs. Odoo's `read_group` would return counts instead
//! of rows, but it is deprecated in 19 (`formatted_read_group`) and the sandbox lacks
//! both, so one `search_read` of a single field it is.

use std::collections::BTreeMap;

use daniel_plugin_sdk::prelude::*;
use daniel_plugin_sdk::serde_json;

use crate::{fields, validate};

/// A salesperson, as tools report them.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Salesperson {
    /// `res.users` id.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// Open opportunities counted when they were chosen by load.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_opportunities: Option<u64>,
    /// Their WhatsApp number in E.164 (`phone`, else `mobile`), if usable. Kept out of
    /// results: the agent talks to customers.
    #[serde(skip)]
    pub phone: Option<String>,
}

#[derive(Deserialize)]
struct UserRow {
    id: i64,
    #[serde(default, deserialize_with = "false_as_none")]
    name: Option<String>,
    #[serde(default, deserialize_with = "false_as_none")]
    phone: Option<String>,
    #[serde(default, deserialize_with = "false_as_none")]
    mobile: Option<String>,
}

impl UserRow {
    fn into_salesperson(self, country_code: &str, load: Option<u64>) -> Salesperson {
        // `phone` before `mobile`, as the seed system did; a masked or malformed number
        // counts as missing.
        let phone = [self.phone.as_deref(), self.mobile.as_deref()]
            .into_iter()
            .flatten()
            .find_map(|n| validate::e164(n, country_code));
        Salesperson {
            id: self.id,
            name: self.name.unwrap_or_default(),
            open_opportunities: load,
            phone,
        }
    }
}

#[derive(Deserialize)]
struct TeamRow {
    #[serde(default)]
    member_ids: Vec<i64>,
}

#[derive(Deserialize)]
struct LeadRow {
    user_id: Many2one,
}

/// Where a team's load is counted: which team, which stages, how to read phones.
#[derive(Debug, Clone, Copy)]
pub struct Pipeline<'a> {
    /// `crm.team` whose members are candidates.
    pub team_id: i64,
    /// `crm.stage` ids whose open opportunities count as load.
    pub stage_ids: &'a [i64],
    /// Prefixed to phone numbers without one, e.g. `+52`.
    pub country_code: &'a str,
}

/// The team member with the fewest open opportunities, or `None` if the team has no
/// active member.
///
/// # Errors
///
/// [`ToolError::Internal`] if the team does not exist (a settings mistake), else what
/// Odoo refused.
pub fn least_loaded(
    ctx: &Context,
    pipeline: Pipeline<'_>,
) -> Result<Option<Salesperson>, ToolError> {
    let odoo = ctx.odoo();
    let teams: Vec<TeamRow> = odoo.read("crm.team", &[pipeline.team_id], &["member_ids"])?;
    let Some(team) = teams.into_iter().next() else {
        return Err(ToolError::internal(format!(
            "settings.sales_team_id: crm.team {} does not exist on this Odoo instance",
            pipeline.team_id
        )));
    };
    if team.member_ids.is_empty() {
        return Ok(None);
    }
    let users = active_users(ctx, &team.member_ids)?;
    let ids: Vec<i64> = users.iter().map(|u| u.id).collect();
    let load = opportunity_counts(ctx, &ids, pipeline.stage_ids)?;
    let chosen = users
        .into_iter()
        .min_by_key(|u| (load.get(&u.id).copied().unwrap_or(0), u.id));
    Ok(chosen.map(|u| {
        let count = load.get(&u.id).copied().unwrap_or(0);
        u.into_salesperson(pipeline.country_code, Some(count))
    }))
}

fn active_users(ctx: &Context, ids: &[i64]) -> Result<Vec<UserRow>, ToolError> {
    let mut wanted = vec!["id", "name"];
    wanted.extend(fields::phones(ctx)?);
    let limit = u32::try_from(ids.len()).unwrap_or(u32::MAX);
    Ok(ctx.odoo().search_read(
        "res.users",
        json!([["id", "in", ids]]),
        &wanted,
        SearchOpts::limit(limit).order("id"),
    )?)
}

fn opportunity_counts(
    ctx: &Context,
    user_ids: &[i64],
    stage_ids: &[i64],
) -> Result<BTreeMap<i64, u64>, ToolError> {
    let domain = json!([
        ["type", "=", "opportunity"],
        ["stage_id", "in", stage_ids],
        ["user_id", "in", user_ids],
    ]);
    let rows: Vec<LeadRow> =
        ctx.odoo()
            .search_read("crm.lead", domain, &["user_id"], SearchOpts::default())?;
    let mut counts = BTreeMap::new();
    for id in rows.iter().filter_map(|r| r.user_id.id()) {
        *counts.entry(id).or_insert(0) += 1;
    }
    Ok(counts)
}

/// User `user_id` with their number, or `None` if there is no such (active) user.
///
/// # Errors
///
/// What Odoo refused.
pub fn by_id(
    ctx: &Context,
    user_id: i64,
    country_code: &str,
) -> Result<Option<Salesperson>, ToolError> {
    Ok(active_users(ctx, &[user_id])?
        .into_iter()
        .next()
        .map(|u| u.into_salesperson(country_code, None)))
}

/// Parses a `res.users` row read elsewhere (fields `id`, `name`, `phone`, `mobile`).
///
/// # Errors
///
/// [`ToolError::Internal`] if the row does not have that shape.
pub fn from_row(row: Value, country_code: &str) -> Result<Salesperson, ToolError> {
    let row: UserRow = serde_json::from_value(row)?;
    Ok(row.into_salesperson(country_code, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_wins_over_mobile_and_masked_numbers_are_missing() {
        let row =
            json!({"id": 7, "name": "Sofía", "phone": "55 1234 5601", "mobile": "+525512345611"});
        let s = from_row(row, "+52").unwrap();
        assert_eq!(s.phone.as_deref(), Some("+525512345601"));
        let row =
            json!({"id": 8, "name": "Carlos", "phone": "55XXXX5602", "mobile": "+528112345602"});
        assert_eq!(
            from_row(row, "+52").unwrap().phone.as_deref(),
            Some("+528112345602")
        );
        let row = json!({"id": 9, "name": false, "phone": false});
        let s = from_row(row, "+52").unwrap();
        assert_eq!((s.name.as_str(), s.phone), ("", None));
    }

    #[test]
    fn the_number_stays_out_of_results() {
        let s = from_row(
            json!({"id": 7, "name": "Sofía", "phone": "+525512345601"}),
            "+52",
        )
        .unwrap();
        assert_eq!(
            serde_json::to_value(&s).unwrap(),
            json!({"id": 7, "name": "Sofía"})
        );
    }
}
