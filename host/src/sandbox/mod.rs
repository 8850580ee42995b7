//! Offline stand-ins that speak the real wire protocols, so the host's real client
//! code runs unchanged without any cloud account: the Odoo XML-RPC sandbox and a
//! Twilio-compatible messages API, and for avatar sessions an ElevenLabs-ConvAI-compatible
//! agent and a HeyGen-streaming-compatible avatar control plane.

pub mod avatar;
pub mod convai;
pub mod odoo;
pub mod twilio;
