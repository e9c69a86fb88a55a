//! `edoc status`: a signed status message answering a received package.

use edoc::{
    sign_attached_compact, Commitment, Limits, Package, SignOptions, Staff, StatusAuthor,
    StatusMessage,
};

use crate::cli::StatusArgs;
use crate::error::CliError;
use crate::{io, key};

pub(crate) fn run(args: &StatusArgs) -> Result<(), CliError> {
    let limits = Limits::default();
    let bytes = io::read_bounded(&args.package, limits.max_package_bytes, "cannot read")?;
    let package = Package::parse(&bytes, &limits)
        .map_err(|e| CliError::Refused(format!("{}: {e}", args.package)))?;
    let header = package.header();
    let sender = header.sender().id;
    // Who answers whom follows the code's author: the recipient answers the sender, except
    // for 13 (recall requested), which the sender sends to a recipient.
    let (from, to) = match args.code.author() {
        StatusAuthor::Recipient => {
            let from = match args.from {
                Some(f) => f,
                None => {
                    let mut all = header.all_recipients();
                    match (all.next(), all.next()) {
                        (Some(only), None) => only.id,
                        _ => return Err(CliError::Usage(
                            "the package has several recipients: say which one answers with --from"
                                .into(),
                        )),
                    }
                }
            };
            (from, args.to.unwrap_or(sender))
        }
        StatusAuthor::Sender => {
            let to = args.to.ok_or_else(|| {
                CliError::Usage("code 13 (recall requested) goes to a recipient: give --to".into())
            })?;
            (args.from.unwrap_or(sender), to)
        }
    };
    let message = StatusMessage {
        from,
        to,
        document_id: header.id().to_string(),
        code: args.code,
        description: args.description.clone(),
        time: args.at.unwrap_or_else(io::now),
        staff: Staff {
            name: args.staff.clone(),
            position: args.staff_position.clone(),
        },
    };
    message
        .check()
        .map_err(|e| CliError::Refused(e.to_string()))?;
    let signer = key::open(&args.key)?;
    let opts = SignOptions::new(message.time).with_commitment(Commitment::ProofOfReceipt);
    let jws = sign_attached_compact(signer.as_ref(), &message.to_json(), &opts)
        .map_err(|e| CliError::Refused(e.to_string()))?;
    io::write_output(args.output.as_deref(), format!("{jws}\n").as_bytes())
}
