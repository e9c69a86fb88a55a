//! `edoc policy show`: the strict policy as a file to edit.

use edoc::Policy;

use crate::error::CliError;
use crate::io;

pub(crate) fn show() -> Result<(), CliError> {
    let mut json = Policy::strict().to_json();
    json.push('\n');
    io::write_output(None, json.as_bytes())
}
