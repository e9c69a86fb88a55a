//! `edoc status`: a signed status message answering a received package, signed only when a
//! hub would accept it: the package verifies, the answer goes between its sender and one of
//! its recipients, the code may follow the statuses already set, and the seal is the
//! answering agency's own.

use edoc::{
    AnswerContext, Limits, SignedMessageError, Staff, StatusAuthor, StatusCode, StatusMessage,
    StatusSignError,
};

use crate::cli::StatusArgs;
use crate::error::CliError;
use crate::inputs::Inputs;
use crate::{io, key};

pub(crate) fn run(args: &StatusArgs) -> Result<(), CliError> {
    let inputs = Inputs::load(&args.inputs)?;
    let limits = Limits::default();
    let bytes = io::read_bounded(&args.package, limits.max_package_bytes, "cannot read")?;
    // Only a document that verifies is answered: an unsigned, altered or untrusted package
    // is no document.
    let mut detached = io::detached(&args.package, None);
    let document = inputs
        .verifier()
        .verify_bytes(&bytes, &limits, &mut detached, inputs.now)
        .map_err(|rejected| {
            CliError::Refused(format!(
                "{}: not answered, the package does not verify: {rejected}",
                args.package
            ))
        })?;
    let header = document.header();
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
        time: inputs.now,
        staff: Staff {
            name: args.staff.clone(),
            position: args.staff_position.clone(),
        },
    };
    let history = history(args, &inputs, &message)?;
    let signer = key::open(&args.key)?;
    let ctx = AnswerContext {
        document: &document,
        history: &history,
        trust: &inputs.store,
        policy: &inputs.policy,
        agencies: inputs.agencies(),
        now: inputs.now,
    };
    let jws = message
        .sign_answer(signer.as_ref(), &ctx)
        .map_err(|e| CliError::Refused(refusal(&e, &message)))?;
    let mut out = jws;
    out.push(b'\n');
    io::write_output(args.output.as_deref(), &out)
}

/// The codes of the statuses given with `--after`: each must verify and be about the same
/// document between the same two agencies. Oldest first.
fn history(
    args: &StatusArgs,
    inputs: &Inputs,
    message: &StatusMessage,
) -> Result<Vec<StatusCode>, CliError> {
    let recipient = |m: &StatusMessage| match m.code.author() {
        StatusAuthor::Recipient => m.from,
        StatusAuthor::Sender => m.to,
    };
    let mut earlier = Vec::new();
    for path in &args.after {
        let shown = path.display().to_string();
        let bytes = io::read_bounded(&shown, StatusMessage::MAX_SIGNED_BYTES, "cannot read")?;
        let verified = StatusMessage::verify_signed(
            &bytes,
            &inputs.store,
            &inputs.policy,
            inputs.agencies(),
            inputs.now,
        )
        .map_err(|e| CliError::Refused(format!("{shown}: not a valid status message: {e}")))?;
        let m = verified.message();
        if m.document_id != message.document_id || recipient(m) != recipient(message) {
            return Err(CliError::Refused(format!(
                "{shown}: a status about document {} for agency {}, not about {} for {}",
                m.document_id,
                recipient(m),
                message.document_id,
                recipient(message)
            )));
        }
        earlier.push((m.time, m.code));
    }
    earlier.sort_by_key(|(time, _)| *time);
    Ok(earlier.into_iter().map(|(_, code)| code).collect())
}

/// The refusal in words, with what to do.
fn refusal(e: &StatusSignError, message: &StatusMessage) -> String {
    match e {
        StatusSignError::Transition(t) => format!(
            "not signed: {t}. Give the statuses already set for this document with --after FILE"
        ),
        StatusSignError::WouldNotVerify(inner @ SignedMessageError::WrongSigner { .. }) => format!(
            "not signed: a status from agency {} must be sealed with that agency's own seal \
             (its certificate's organizationIdentifier, or the --directory, names it): {inner}",
            message.from
        ),
        other => format!("not signed: {other}"),
    }
}
