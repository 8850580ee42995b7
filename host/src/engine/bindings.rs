//! Host-side bindings for the `tool-plugin` world in `wit/plugin.wit`.
//!
//! The only place `bindgen!` runs, so the generated names have one home.

wasmtime::component::bindgen!({
    world: "tool-plugin",
    path: "../wit",
    // Host functions are async because Odoo and messaging calls are network I/O;
    // `trappable` lets a host fault (not a plugin mistake) trap the guest instead of
    // being disguised as a WIT error.
    imports: { default: async | trappable },
    // Exports are called with `*_async` so epoch yields can interrupt a busy guest.
    exports: { default: async },
});

pub(super) use daniel::plugin::{config, jobs, log, messaging, odoo, types};
