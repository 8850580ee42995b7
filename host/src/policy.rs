//! What each plugin may do outside its sandbox, checked on every host call.
//!
//! Pure decisions over the configuration: which Odoo instance a tool uses, whether a
//! model × method is granted, whether the instance is read-only, whether the plugin
//! may send messages. The callers (host functions) turn a refusal into the WIT
//! `denied` error; nothing here does I/O.

use crate::config::{Grants, InstanceSpec};

/// Why a host call was refused. Messages name plugin, model and method so an
/// operator can fix `plugins.toml` from the message alone.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error(
        "plugin {plugin:?} has no Odoo instance for tool {tool:?} (set plugins.{plugin}.instance)"
    )]
    NoInstance { plugin: String, tool: String },
    #[error("plugin {plugin:?} is not granted {model}.{method} (plugins.{plugin}.grants)")]
    NotGranted {
        plugin: String,
        model: String,
        method: String,
    },
    #[error("instance {instance:?} is read-only: {model}.{method} writes (plugin {plugin:?})")]
    ReadOnly {
        plugin: String,
        instance: String,
        model: String,
        method: String,
    },
    #[error("plugin {plugin:?} may not send messages (plugins.{plugin}.messaging)")]
    Messaging { plugin: String },
}

/// Decides whether `plugin`'s `tool` may call `model.method`, and on which instance.
///
/// # Errors
/// [`Denied`] naming what is missing: an instance, a grant, or a writable instance.
pub fn check_odoo<'a>(
    plugin: &str,
    tool: &str,
    grants: &Grants,
    instance_of: impl Fn(&str) -> Option<&'a InstanceSpec>,
    model: &str,
    method: &str,
) -> Result<&'a InstanceSpec, Denied> {
    let instance = grants
        .instance_for(tool)
        .and_then(instance_of)
        .ok_or_else(|| Denied::NoInstance {
            plugin: plugin.into(),
            tool: tool.into(),
        })?;
    let granted = match grants.models.get(model) {
        Some(None) => true,
        Some(Some(methods)) => methods.contains(method),
        None => false,
    };
    if !granted {
        return Err(Denied::NotGranted {
            plugin: plugin.into(),
            model: model.into(),
            method: method.into(),
        });
    }
    if instance.read_only && daniel_odoo::is_write_method(method) {
        return Err(Denied::ReadOnly {
            plugin: plugin.into(),
            instance: instance.name.clone(),
            model: model.into(),
            method: method.into(),
        });
    }
    Ok(instance)
}

/// Decides whether `plugin` may send WhatsApp/SMS messages.
///
/// # Errors
/// [`Denied::Messaging`] when `plugins.NAME.messaging` is not set.
pub fn check_messaging(plugin: &str, grants: &Grants) -> Result<(), Denied> {
    if grants.messaging {
        Ok(())
    } else {
        Err(Denied::Messaging {
            plugin: plugin.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Endpoint;
    use std::collections::{BTreeMap, BTreeSet};
    use std::time::Duration;

    fn instance(name: &str, read_only: bool) -> InstanceSpec {
        InstanceSpec {
            name: name.into(),
            endpoint: Endpoint::Sandbox,
            read_only,
            timeout: Duration::from_secs(1),
            max_connections: 1,
        }
    }

    fn grants() -> Grants {
        Grants {
            instance: Some("prod".into()),
            tool_instances: BTreeMap::from([("create".into(), "dev".into())]),
            models: BTreeMap::from([
                (
                    "res.partner".into(),
                    Some(BTreeSet::from(["search_read".into(), "create".into()])),
                ),
                ("crm.lead".into(), None),
            ]),
            messaging: false,
        }
    }

    fn check(tool: &str, model: &str, method: &str) -> Result<String, Denied> {
        let prod = instance("prod", true);
        let dev = instance("dev", false);
        let lookup = |n: &str| match n {
            "prod" => Some(&prod),
            "dev" => Some(&dev),
            _ => None,
        };
        check_odoo("sales", tool, &grants(), lookup, model, method).map(|i| i.name.clone())
    }

    #[test]
    fn granted_reads_go_to_the_tools_instance() {
        assert_eq!(check("list", "res.partner", "search_read").unwrap(), "prod");
        assert_eq!(check("create", "res.partner", "create").unwrap(), "dev");
        assert_eq!(
            check("create", "crm.lead", "action_set_won_rainbowman").unwrap(),
            "dev"
        );
    }

    #[test]
    fn ungranted_model_or_method_is_denied_with_names() {
        let err = check("list", "sale.order", "read").unwrap_err();
        assert_eq!(
            err.to_string(),
            "plugin \"sales\" is not granted sale.order.read (plugins.sales.grants)"
        );
        assert!(matches!(
            check("list", "res.partner", "unlink"),
            Err(Denied::NotGranted { .. })
        ));
    }

    #[test]
    fn read_only_instance_refuses_writes_and_actions_whatever_the_grant() {
        assert!(matches!(
            check("list", "res.partner", "create"),
            Err(Denied::ReadOnly { .. })
        ));
        let err = check("list", "crm.lead", "action_set_lost").unwrap_err();
        assert!(err.to_string().contains("read-only"), "{err}");
        assert!(check("list", "crm.lead", "search_read").is_ok());
    }

    #[test]
    fn messaging_needs_its_grant() {
        assert!(check_messaging("sales", &grants()).is_err());
        let mut g = grants();
        g.messaging = true;
        assert!(check_messaging("sales", &g).is_ok());
    }
}
