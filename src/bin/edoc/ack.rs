//! `edoc ack`: acknowledges deliveries by number.

use crate::cli::AckArgs;
use crate::error::CliError;

#[cfg(feature = "client")]
pub(crate) fn run(args: &AckArgs) -> Result<(), CliError> {
    use crate::connect::{connect, failure};

    let c = connect(&args.connect)?;
    for id in &args.ids {
        c.runtime
            .block_on(c.client.ack(edoc::DeliveryId(*id)))
            .map_err(failure)?;
        println!("ACKED   delivery #{id}");
    }
    Ok(())
}

#[cfg(not(feature = "client"))]
pub(crate) fn run(_args: &AckArgs) -> Result<(), CliError> {
    Err(CliError::Usage(
        "this edoc was built without the `client` feature: cargo install --path . --features cli,client"
            .into(),
    ))
}
