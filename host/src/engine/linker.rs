//! The linker every plugin is instantiated against.
//!
//! It provides the `daniel:plugin` host interfaces and only the WASI interfaces a
//! Rust guest's standard library needs to start (io, clocks, random, cli stdio and
//! an empty environment). Filesystem and sockets are never linked: a component
//! importing them fails to link, so file and network access is absent by
//! construction rather than denied by a check.

use wasmtime::component::{HasSelf, Linker, ResourceTable};
use wasmtime_wasi::WasiView;
use wasmtime_wasi::cli::{WasiCli, WasiCliView};
use wasmtime_wasi::clocks::{WasiClocks, WasiClocksView};
use wasmtime_wasi::p2::bindings::{cli, clocks, random};
use wasmtime_wasi::random::{WasiRandom, WasiRandomView};

use super::bindings::ToolPlugin;
use super::host::HostState;

impl wasmtime_wasi_io::IoView for HostState {
    fn table(&mut self) -> &mut ResourceTable {
        WasiView::ctx(self).table
    }
}

/// Builds the linker once per engine.
pub(super) fn build(engine: &wasmtime::Engine) -> wasmtime::Result<Linker<HostState>> {
    let mut l = Linker::new(engine);
    wasmtime_wasi_io::add_to_linker_async(&mut l)?;
    clocks::wall_clock::add_to_linker::<HostState, WasiClocks>(&mut l, HostState::clocks)?;
    clocks::monotonic_clock::add_to_linker::<HostState, WasiClocks>(&mut l, HostState::clocks)?;
    random::random::add_to_linker::<HostState, WasiRandom>(&mut l, HostState::random)?;
    random::insecure::add_to_linker::<HostState, WasiRandom>(&mut l, HostState::random)?;
    random::insecure_seed::add_to_linker::<HostState, WasiRandom>(&mut l, HostState::random)?;
    cli::exit::add_to_linker::<HostState, WasiCli>(&mut l, HostState::cli)?;
    cli::environment::add_to_linker::<HostState, WasiCli>(&mut l, HostState::cli)?;
    cli::stdin::add_to_linker::<HostState, WasiCli>(&mut l, HostState::cli)?;
    cli::stdout::add_to_linker::<HostState, WasiCli>(&mut l, HostState::cli)?;
    cli::stderr::add_to_linker::<HostState, WasiCli>(&mut l, HostState::cli)?;
    cli::terminal_input::add_to_linker::<HostState, WasiCli>(&mut l, HostState::cli)?;
    cli::terminal_output::add_to_linker::<HostState, WasiCli>(&mut l, HostState::cli)?;
    cli::terminal_stdin::add_to_linker::<HostState, WasiCli>(&mut l, HostState::cli)?;
    cli::terminal_stdout::add_to_linker::<HostState, WasiCli>(&mut l, HostState::cli)?;
    cli::terminal_stderr::add_to_linker::<HostState, WasiCli>(&mut l, HostState::cli)?;
    ToolPlugin::add_to_linker::<HostState, HasSelf<HostState>>(&mut l, |s| s)?;
    Ok(l)
}
