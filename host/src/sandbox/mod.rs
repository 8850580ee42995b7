//! Offline stand-ins that speak the real wire protocols, so the host's real client
//! code runs unchanged without any cloud account: the Odoo XML-RPC sandbox and a
//! Twilio-compatible messages API.

pub mod odoo;
pub mod twilio;
