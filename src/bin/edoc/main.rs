//! `edoc`: the command line over the edoc library. A thin layer: every rule lives in the
//! library; this binary reads files, calls the public API and prints.
#![forbid(unsafe_code)]

mod ack;
mod cause;
mod classify;
mod cli;
#[cfg(feature = "client")]
mod connect;
mod edxml;
mod error;
mod fetch;
mod hub;
mod inputs;
mod inspect;
mod io;
mod key;
mod keyfile;
mod new;
mod pki;
mod pki_network;
mod policy;
mod send;
mod sign;
mod status;
mod verify;
mod words;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command, EdxmlCommand, HubCommand, PkiCommand, PolicyCommand};
use error::{CliError, Exit};

fn main() -> ExitCode {
    // clap prints usage errors and exits 2, and exits 0 for --help and --version.
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Verify(a) => verify::run(a),
        Command::New(a) => new::run(a),
        Command::Sign(a) => sign::run(a),
        Command::Inspect(a) => inspect::run(a),
        Command::Status(a) => status::run(a),
        Command::Pki(PkiCommand::Demo(a)) => pki::demo(a),
        Command::Policy(PolicyCommand::Show) => policy::show(),
        Command::Edxml(EdxmlCommand::Import(a)) => edxml::import(a),
        Command::Edxml(EdxmlCommand::Export(a)) => edxml::export(a),
        Command::Hub(HubCommand::Serve(a)) => hub::serve(a),
        Command::Send(a) => send::run(a),
        Command::Fetch(a) => fetch::run(a),
        Command::Ack(a) => ack::run(a),
    };
    match result {
        Ok(()) => Exit::Ok.into(),
        Err(e) => {
            let quiet = matches!(&cli.command, Command::Verify(a) if a.quiet);
            // Failed and Unreadable were reported line by line already.
            if !quiet && !matches!(e, CliError::Failed | CliError::Unreadable) {
                eprintln!("edoc: {e}");
            }
            e.exit().into()
        }
    }
}
