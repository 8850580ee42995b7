//! `execute_kw` behaviour by method: reads, faults and access, business actions, and the
//! seed system's quotation and lead-update flows end to end.

mod actions;
mod faults;
mod flows;
mod introspect;
mod read;
