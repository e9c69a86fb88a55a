//! The command line, as clap reads it. Every command's `--help` ends with an example.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use edoc::{Agency, Commitment, Competence, Confidentiality, OrgId, StatusCode};
use time::{Date, OffsetDateTime};

const EXIT_CODES: &str = "\
Exit codes:
  0  success (every document verified)
  1  a document failed verification or is indeterminate, or the library refused the
     operation (an approval after the seal, an invalid header)
  2  usage error, or a file could not be read or written (trust store, policy, key, package)";

/// Signed electronic documents between Vietnamese agencies: make, sign, inspect and verify
/// packages carrying JAdES signatures (the competent person's, then the agency seal).
#[derive(Debug, Parser)]
#[command(name = "edoc", version, after_help = EXIT_CODES)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Verify packages (or, with --payload, a plain JAdES/JWS over a file). Never uses the network.
    #[command(after_help = VERIFY_HELP, mut_arg("trust", |a| a.required(true)))]
    Verify(VerifyArgs),
    /// Make an unsigned package from flags or a header JSON file, with attachments.
    #[command(after_help = NEW_HELP)]
    New(Box<NewArgs>),
    /// Add a JAdES signature to a package (approval by the person, then origin by the seal).
    #[command(after_help = SIGN_HELP)]
    Sign(SignArgs),
    /// Show a package: header, attachments with digests, signatures (UNVERIFIED), trace.
    #[command(after_help = INSPECT_HELP)]
    Inspect(InspectArgs),
    /// Make and sign a status message (edXML status) answering a received package.
    #[command(after_help = STATUS_HELP, mut_arg("trust", |a| a.required(true)))]
    Status(Box<StatusArgs>),
    /// Test-only PKI tools.
    #[command(subcommand)]
    Pki(PkiCommand),
    /// Validation policies.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Read and write edXML (QCVN 102:2016), the documents of the national exchange axis.
    #[command(subcommand)]
    Edxml(EdxmlCommand),
    /// Run a hub (feature `server`).
    #[command(subcommand)]
    Hub(HubCommand),
    /// Send packages or status messages to the agency's hub over mutual TLS (feature `client`).
    #[command(after_help = SEND_HELP)]
    Send(SendArgs),
    /// Fetch the agency's deliveries: each is written, fsynced and verified, then acknowledged.
    #[command(after_help = FETCH_HELP)]
    Fetch(FetchArgs),
    /// Acknowledge deliveries by number (what `edoc fetch` does after verifying each).
    #[command(after_help = ACK_HELP)]
    Ack(AckArgs),
}

/// `edoc policy ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum PolicyCommand {
    /// Print the strict policy as a policy file to edit: a file passed with --policy needs only
    /// the fields it changes.
    #[command(after_help = POLICY_SHOW_HELP)]
    Show,
}

const POLICY_SHOW_HELP: &str = "\
Prints Policy::strict() as JSON, the form `edoc verify --policy FILE` reads. A policy file
starts from the strict policy and overrides only the fields it names, so

  {\"revocation\": {\"mode\": \"CheckIfAvailable\"}}

is a whole policy file: the strict policy, with CRLs used when present instead of required.
Unknown fields are refused, so a typo never falls back to a default silently.

Example:
  edoc policy show > policy.json
  edoc verify --trust trust.pem --policy policy.json letter.json";

const VERIFY_HELP: &str = "\
A TARGET is a file, `-` for standard input, or a folder (walked recursively). Each file is
recognised by its content and checked by its own rules:
  package          the signatures, chains and document rules (approval, then the seal of the
                   sender); with --hubs, also the routing trace each hub signed
  status message   the answering agency's seal and the message itself (edoc status writes them)
  hub receipt      the hub's seal, which --hubs must register for the hub the receipt names
  other JAdES/JWS  over its attached payload, or with --payload FILE over a detached one
In a folder, a file that is none of these (certificates, a detached attachment, notes) is
listed as SKIPPED with what it seems to be, never passed over silently; given by name, it
FAILS.

Detached attachments are read beside the package: from the package file's folder, the file
named as in the manifest, or from --detached-dir DIR. A link there is followed only when it
stays inside the folder. For `-` (standard input) they are read only with --detached-dir.

Output: one line per file, `OK` (what it is, who signed), `FAILED` (the sub-indication of the
first cause, e.g. HASH_FAILURE, its reason in words, and what to do when an input is
missing), `ERROR` (unreadable) or `SKIPPED`, then a summary line. --json prints instead one
JSON object per line (JSON Lines) with `target` and `kind` (package, status, receipt, jws,
skipped, unreadable); for a package, the fields of ValidationReport (indication,
subIndication, documentId, numberNotation, sender, validatedAt, checks,
documentSubIndication, signatures[]) and `trace`.

Without --at, files are checked at the current time. Without --policy, the strict policy
applies: both the person's approval and the agency seal, CRLs for every CA.

Examples:
  edoc verify --trust demo/trust.pem --intermediates demo/intermediates.pem \\
      --crl demo/crl.pem --directory demo/directory.json --hubs hubs.json incoming/
  cat letter.json | edoc verify --trust trust.pem --crl crl.pem --json -
  edoc verify --trust trust.pem --crl crl.pem --payload report.pdf report.pdf.jws

Exit codes: 0 all verified, 1 any failed or indeterminate, 2 usage or I/O error.";

/// The trust material: what `verify` checks against, and `inspect` when asked to verify.
#[derive(Debug, Args)]
pub(crate) struct TrustArgs {
    /// [required] Trust anchors (root certificates), PEM. Repeatable.
    #[arg(long = "trust", value_name = "PEM")]
    pub(crate) trust: Vec<PathBuf>,
    /// Intermediate CA certificates, PEM. Repeatable.
    #[arg(long = "intermediates", value_name = "PEM")]
    pub(crate) intermediates: Vec<PathBuf>,
    /// Certificate revocation lists, PEM. Repeatable.
    #[arg(long = "crl", value_name = "PEM")]
    pub(crate) crl: Vec<PathBuf>,
    /// Directory JSON: which certificates may seal for which agency.
    #[arg(long, value_name = "FILE")]
    pub(crate) directory: Option<PathBuf>,
    /// Validation policy JSON: the fields it names override the strict policy
    /// (`edoc policy show` prints the strict one).
    #[arg(long, value_name = "FILE")]
    pub(crate) policy: Option<PathBuf>,
    /// Hubs JSON: which certificates sign for which hub; needed to verify a package's routing
    /// trace and a hub's receipt.
    #[arg(long, value_name = "FILE")]
    pub(crate) hubs: Option<PathBuf>,
    /// Validation time, RFC 3339 (default: now), e.g. 2025-07-02T15:00:00+07:00.
    #[arg(long, value_name = "RFC3339", value_parser = parse_instant)]
    pub(crate) at: Option<OffsetDateTime>,
}

/// `edoc verify`.
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    #[command(flatten)]
    pub(crate) inputs: TrustArgs,
    /// Print validation reports as JSON Lines instead of text.
    #[arg(long, conflicts_with = "quiet")]
    pub(crate) json: bool,
    /// Print nothing; the exit code says it all.
    #[arg(long, short)]
    pub(crate) quiet: bool,
    /// Verify a plain JAdES/JWS signature (the single TARGET) over this payload file.
    #[arg(long, value_name = "FILE")]
    pub(crate) payload: Option<PathBuf>,
    /// Read detached attachments from this folder (default: the package file's folder; for `-`
    /// they are read only when this is given).
    #[arg(long, value_name = "DIR")]
    pub(crate) detached_dir: Option<PathBuf>,
    /// Packages, status messages, receipts, folders, or `-` for standard input.
    #[arg(value_name = "TARGET", required = true)]
    pub(crate) targets: Vec<String>,
}

const NEW_HELP: &str = "\
The header comes either from flags or from --header FILE (the header JSON of the package
format, as `edoc inspect --json` prints it under \"header\"). --attach adds a file to the
attachment manifest (name: the file name; media type from the extension) with its content
inline; with --detached the content stays a separate file, copied beside OUT when it is not
there already. Without --date, the date of issue is today in Vietnam (UTC+07:00).

Example:
  edoc new --sender 000.00.41.H57 --sender-name \"UBND xã A Lưới 1\" \\
      --to \"000.00.05.H57=Sở Tài chính thành phố Huế\" --cc \"000.00.00.H57=UBND thành phố Huế\" \\
      --type-code CV --type-name \"Công văn\" --number 42 --notation UBND-TCKH \\
      --place \"A Lưới\" --date 2025-07-02 --subject \"Xin hướng dẫn mua sắm\" \\
      --signer-name \"Nguyễn Văn An\" --signer-position \"Chủ tịch\" \\
      --attach request.pdf -o letter.json";

/// The --help heading of the flags `edoc new` needs when no --header file is given.
const REQUIRED_UNLESS_HEADER: &str = "Required, unless --header FILE is given";

/// `edoc new`.
#[derive(Debug, Args)]
pub(crate) struct NewArgs {
    /// The header as JSON (instead of the header flags).
    #[arg(long, value_name = "FILE")]
    pub(crate) header: Option<PathBuf>,
    /// Sender's agency code (QCVN 102:2016), e.g. 000.00.41.H57.
    #[arg(
        long,
        value_name = "CODE",
        conflicts_with = "header",
        required_unless_present = "header",
        help_heading = REQUIRED_UNLESS_HEADER
    )]
    pub(crate) sender: Option<OrgId>,
    /// Sender's name as written on the document.
    #[arg(
        long,
        value_name = "NAME",
        conflicts_with = "header",
        required_unless_present = "header",
        help_heading = REQUIRED_UNLESS_HEADER
    )]
    pub(crate) sender_name: Option<String>,
    /// A main recipient (nơi nhận), CODE=NAME. Repeatable.
    #[arg(long = "to", value_name = "CODE=NAME", value_parser = parse_agency, conflicts_with = "header", required_unless_present = "header", help_heading = REQUIRED_UNLESS_HEADER)]
    pub(crate) to: Vec<Agency>,
    /// A copy recipient, CODE=NAME. Repeatable.
    #[arg(long = "cc", value_name = "CODE=NAME", value_parser = parse_agency, conflicts_with = "header")]
    pub(crate) cc: Vec<Agency>,
    /// Document type code of your system, e.g. CV.
    #[arg(
        long,
        value_name = "CODE",
        conflicts_with = "header",
        required_unless_present = "header",
        help_heading = REQUIRED_UNLESS_HEADER
    )]
    pub(crate) type_code: Option<String>,
    /// Document type name, e.g. "Công văn".
    #[arg(
        long,
        value_name = "NAME",
        conflicts_with = "header",
        required_unless_present = "header",
        help_heading = REQUIRED_UNLESS_HEADER
    )]
    pub(crate) type_name: Option<String>,
    /// Number (số), e.g. 42.
    #[arg(long, conflicts_with = "header", required_unless_present = "header", help_heading = REQUIRED_UNLESS_HEADER)]
    pub(crate) number: Option<String>,
    /// Notation (ký hiệu), e.g. UBND-TCKH.
    #[arg(long, conflicts_with = "header", required_unless_present = "header", help_heading = REQUIRED_UNLESS_HEADER)]
    pub(crate) notation: Option<String>,
    /// Place of issue.
    #[arg(long, conflicts_with = "header", required_unless_present = "header", help_heading = REQUIRED_UNLESS_HEADER)]
    pub(crate) place: Option<String>,
    /// Date of issue, YYYY-MM-DD (default: today in UTC+07:00).
    #[arg(long, value_name = "DATE", value_parser = parse_date, conflicts_with = "header")]
    pub(crate) date: Option<Date>,
    /// Subject (trích yếu).
    #[arg(long, conflicts_with = "header", required_unless_present = "header", help_heading = REQUIRED_UNLESS_HEADER)]
    pub(crate) subject: Option<String>,
    /// Summary of the content.
    #[arg(long, conflicts_with = "header")]
    pub(crate) summary: Option<String>,
    /// Document id; default: the edXML form {sender},{yyyy/MM/dd},{number}/{notation}.
    #[arg(long, conflicts_with = "header")]
    pub(crate) id: Option<String>,
    /// Urgency (độ khẩn).
    #[arg(long, value_enum, default_value_t = UrgencyArg::Normal, conflicts_with = "header")]
    pub(crate) urgency: UrgencyArg,
    /// The set time of --urgency express-at-set-time, RFC 3339.
    #[arg(long, value_name = "RFC3339", value_parser = parse_instant, conflicts_with = "header")]
    pub(crate) urgency_time: Option<OffsetDateTime>,
    /// Confidentiality (độ mật). Classified documents are refused by hubs.
    #[arg(long, value_enum, default_value_t = ConfidentialityArg::None, conflicts_with = "header")]
    pub(crate) confidentiality: ConfidentialityArg,
    /// Due date for the answer (hạn xử lý), YYYY-MM-DD.
    #[arg(long, value_name = "DATE", value_parser = parse_date, conflicts_with = "header")]
    pub(crate) due: Option<Date>,
    /// Id of the document this one answers (edXML ResponseFor); needs the three --reply-* flags.
    #[arg(long, value_name = "DOCUMENT_ID", conflicts_with = "header", requires_all = ["reply_agency", "reply_code", "reply_date"])]
    pub(crate) in_reply_to: Option<String>,
    /// Agency code that issued the answered document.
    #[arg(long, value_name = "CODE", requires = "in_reply_to")]
    pub(crate) reply_agency: Option<OrgId>,
    /// Number and notation of the answered document, e.g. 12/STC-QLG.
    #[arg(long, value_name = "NUMBER/NOTATION", requires = "in_reply_to")]
    pub(crate) reply_code: Option<String>,
    /// Date of issue of the answered document, YYYY-MM-DD.
    #[arg(long, value_name = "DATE", value_parser = parse_date, requires = "in_reply_to")]
    pub(crate) reply_date: Option<Date>,
    /// Full name of the competent person who signs (người ký).
    #[arg(
        long,
        value_name = "NAME",
        conflicts_with = "header",
        required_unless_present = "header",
        help_heading = REQUIRED_UNLESS_HEADER
    )]
    pub(crate) signer_name: Option<String>,
    /// Position of the signer, e.g. "Chủ tịch".
    #[arg(
        long,
        value_name = "POSITION",
        conflicts_with = "header",
        required_unless_present = "header",
        help_heading = REQUIRED_UNLESS_HEADER
    )]
    pub(crate) signer_position: Option<String>,
    /// Competence (thẩm quyền ký): none, on-behalf-of (TM.), deputy (KT.), by-order (TL.),
    /// by-authorization (TUQ.), acting (Q.).
    #[arg(long, value_enum, default_value_t = CompetenceArg::None, conflicts_with = "header")]
    pub(crate) competence: CompetenceArg,
    /// A file to attach. Repeatable.
    #[arg(long, value_name = "FILE")]
    pub(crate) attach: Vec<PathBuf>,
    /// Keep attachment contents as separate files beside the package (needs -o). For local use:
    /// hubs take inline attachments only.
    #[arg(long)]
    pub(crate) detached: bool,
    /// Where to write the package (default: standard output).
    #[arg(short, long = "output", value_name = "OUT")]
    pub(crate) output: Option<PathBuf>,
}

/// Urgency on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum UrgencyArg {
    /// Thường (code 0).
    Normal,
    /// Khẩn (code 1).
    Urgent,
    /// Thượng khẩn (code 2).
    VeryUrgent,
    /// Hỏa tốc (code 3).
    Express,
    /// Hỏa tốc hẹn giờ (code 4), with --urgency-time.
    ExpressAtSetTime,
}

/// Confidentiality on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ConfidentialityArg {
    /// Not classified.
    None,
    /// Mật.
    Confidential,
    /// Tối mật.
    Secret,
    /// Tuyệt mật.
    TopSecret,
}

impl From<ConfidentialityArg> for Confidentiality {
    fn from(c: ConfidentialityArg) -> Confidentiality {
        match c {
            ConfidentialityArg::None => Confidentiality::None,
            ConfidentialityArg::Confidential => Confidentiality::Confidential,
            ConfidentialityArg::Secret => Confidentiality::Secret,
            ConfidentialityArg::TopSecret => Confidentiality::TopSecret,
        }
    }
}

/// Competence on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CompetenceArg {
    /// In one's own name.
    None,
    /// TM.
    OnBehalfOf,
    /// KT.
    Deputy,
    /// TL.
    ByOrder,
    /// TUQ.
    ByAuthorization,
    /// Q.
    Acting,
}

impl From<CompetenceArg> for Competence {
    fn from(c: CompetenceArg) -> Competence {
        match c {
            CompetenceArg::None => Competence::None,
            CompetenceArg::OnBehalfOf => Competence::OnBehalfOf,
            CompetenceArg::Deputy => Competence::Deputy,
            CompetenceArg::ByOrder => Competence::ByOrder,
            CompetenceArg::ByAuthorization => Competence::ByAuthorization,
            CompetenceArg::Acting => Competence::Acting,
        }
    }
}

/// The commitment of a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CommitmentArg {
    /// Proof of approval: the competent person signs first.
    Approval,
    /// Proof of origin: the agency seal, after the person.
    Origin,
    /// Proof of receipt.
    Receipt,
}

impl From<CommitmentArg> for Commitment {
    fn from(c: CommitmentArg) -> Commitment {
        match c {
            CommitmentArg::Approval => Commitment::ProofOfApproval,
            CommitmentArg::Origin => Commitment::ProofOfOrigin,
            CommitmentArg::Receipt => Commitment::ProofOfReceipt,
        }
    }
}

const SIGN_HELP: &str = "\
The signature covers the header, every attachment (detached ones are read beside the package,
named as in the manifest) and every earlier signature. An approval is refused once the agency
seal is present. Without -o the package file is replaced (written to a temporary file, then
renamed); with PACKAGE `-` the result goes to standard output.

With the pkcs11 feature, a token replaces --key/--cert (see the README, section Signing with a token):
  --pkcs11-module PATH --token LABEL (or --slot ID) --key-label LABEL (or --key-id HEX)
  --pin-env VAR [--cert-chain FILE]... [--alg ALG]

Examples:
  edoc sign --key demo/orgs/000.00.41.H57/signer.key --cert demo/orgs/000.00.41.H57/signer.pem \\
      --chain demo/intermediates.pem --commitment approval letter.json
  edoc sign --key demo/orgs/000.00.41.H57/seal.key --cert demo/orgs/000.00.41.H57/seal.pem \\
      --commitment origin letter.json -o letter.signed.json";

/// `edoc sign`.
#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    #[command(flatten)]
    pub(crate) key: KeyArgs,
    /// What the signature commits to.
    #[arg(long, value_enum, help_heading = "Required")]
    pub(crate) commitment: CommitmentArg,
    /// Signing time, RFC 3339 (default: now).
    #[arg(long, value_name = "RFC3339", value_parser = parse_instant)]
    pub(crate) at: Option<OffsetDateTime>,
    /// The package file, or `-` for standard input.
    #[arg(value_name = "PACKAGE")]
    pub(crate) package: String,
    /// Read detached attachments from this folder (default: the package file's folder; for `-`
    /// they are read only when this is given).
    #[arg(long, value_name = "DIR")]
    pub(crate) detached_dir: Option<PathBuf>,
    /// Where to write the signed package (default: replace PACKAGE).
    #[arg(short, long = "output", value_name = "OUT")]
    pub(crate) output: Option<PathBuf>,
}

/// Where the signing key comes from: a key file, or (feature pkcs11) a token.
#[derive(Debug, Args)]
pub(crate) struct KeyArgs {
    /// The private key: PKCS#8 (plain or encrypted), SEC1 EC, PKCS#1 RSA, PEM or DER; or a
    /// PKCS#12 bundle (.p12, .pfx), which brings its certificate chain.
    #[arg(long, value_name = "KEY")]
    pub(crate) key: Option<PathBuf>,
    /// The signer's certificate (PEM or DER; the first certificate is used). Not needed with a
    /// PKCS#12 bundle.
    #[arg(long, value_name = "CERT", requires = "key")]
    pub(crate) cert: Option<PathBuf>,
    /// The rest of the chain (intermediates), PEM bundle.
    #[arg(long, value_name = "PEM", requires = "key")]
    pub(crate) chain: Option<PathBuf>,
    /// Environment variable holding the passphrase of an encrypted key or PKCS#12 bundle.
    /// Without it, edoc asks on the terminal (a bundle without password needs neither).
    #[arg(long, value_name = "VAR", requires = "key")]
    pub(crate) key_pass_env: Option<String>,
    /// PKCS#11 module of the token.
    #[cfg(feature = "pkcs11")]
    #[arg(long, value_name = "PATH", conflicts_with = "key")]
    pub(crate) pkcs11_module: Option<PathBuf>,
    /// Token label.
    #[cfg(feature = "pkcs11")]
    #[arg(
        long,
        value_name = "LABEL",
        requires = "pkcs11_module",
        conflicts_with = "slot"
    )]
    pub(crate) token: Option<String>,
    /// Token slot id.
    #[cfg(feature = "pkcs11")]
    #[arg(long, value_name = "ID", requires = "pkcs11_module")]
    pub(crate) slot: Option<u64>,
    /// Key label on the token.
    #[cfg(feature = "pkcs11")]
    #[arg(
        long,
        value_name = "LABEL",
        requires = "pkcs11_module",
        conflicts_with = "key_id"
    )]
    pub(crate) key_label: Option<String>,
    /// Key id on the token, hexadecimal.
    #[cfg(feature = "pkcs11")]
    #[arg(long, value_name = "HEX", requires = "pkcs11_module")]
    pub(crate) key_id: Option<String>,
    /// Environment variable holding the token PIN.
    #[cfg(feature = "pkcs11")]
    #[arg(long, value_name = "VAR", requires = "pkcs11_module")]
    pub(crate) pin_env: Option<String>,
    /// Certificate chain files instead of the token's certificate. Repeatable.
    #[cfg(feature = "pkcs11")]
    #[arg(long, value_name = "FILE", requires = "pkcs11_module")]
    pub(crate) cert_chain: Vec<PathBuf>,
    /// JWS algorithm for the token key (RS256, PS256, ES256, ES384).
    #[cfg(feature = "pkcs11")]
    #[arg(long, value_name = "ALG", requires = "pkcs11_module")]
    pub(crate) alg: Option<String>,
}

const INSPECT_HELP: &str = "\
PACKAGE may also be an edXML document (QCVN 102:2016): it is imported as `edoc edxml import`
does, and shown with the import report (every field and where it went); the trust options
then verify the edoc package it carries.

Shows what a package says. Without trust material nothing is verified: signer names, times
and commitments are what the signatures claim, marked UNVERIFIED. With --trust (and the other
options of `edoc verify`), each signature is marked VERIFIED or FAILED with its reason, and
with --hubs the routing trace is verified too.

--json prints one object with `header` (the header JSON), `attachments` (name, mediaType,
size, sha256, inline), `signatures` (signer, issuer, serial, commitment, signingTime,
algorithm, verified) and `trace` (each entry's payload and verified).

Example:
  edoc inspect letter.json
  edoc inspect --trust demo/trust.pem --intermediates demo/intermediates.pem \\
      --crl demo/crl.pem --hubs hubs.json letter.json
  edoc inspect incoming/874e0f18.edxml
  edoc inspect --json letter.json | jq .header.subject";

/// `edoc inspect`.
#[derive(Debug, Args)]
pub(crate) struct InspectArgs {
    /// Verify while showing: the options of `edoc verify` (--trust is then required).
    #[command(flatten)]
    pub(crate) inputs: Option<TrustArgs>,
    /// The package file, or `-` for standard input.
    #[arg(value_name = "PACKAGE")]
    pub(crate) package: String,
    /// Print JSON instead of text.
    #[arg(long)]
    pub(crate) json: bool,
}

const STATUS_HELP: &str = "\
The status message (from, to, documentId, code, description, time, staff) is signed as a JAdES
compact JWS with the proof-of-receipt commitment, the message's canonical JSON attached.
`from` defaults to the package's only recipient; `to` is the document's sender (for code 13,
recall requested, `from` is the sender and --to is needed). --at sets the status's time (and
the clock the package and the seal are checked at; default now).

Nothing is signed, and the exit code is 1, unless a hub would accept the status:
  - the package verifies (as `edoc verify` checks it, with the same --trust, --intermediates,
    --crl, --directory and --policy): an unsigned or altered package is not answered;
  - the status goes from a recipient of the document to its sender (13: the other way);
  - the code may follow the statuses already set, given with --after (none: a first answer,
    01, 02, 03 or 13); e.g. 06 completed needs the 03 before it;
  - the key is the answering agency's own seal: its certificate's organizationIdentifier, or
    the directory, names the agency given with --from.

Codes: 01 arrived, 02 refused, 03 accepted and registered, 04 assigned, 05 being processed,
06 completed, 13 recall requested, 15 recall or update agreed, 16 recall or update refused.

Example:
  edoc status --trust demo/trust.pem --intermediates demo/intermediates.pem --crl demo/crl.pem \\
      --key demo/orgs/000.00.05.H57/seal.key --cert demo/orgs/000.00.05.H57/seal.pem \\
      --code 03 --description \"Đã tiếp nhận\" --staff \"Trần Thị Bình\" \\
      --staff-position \"Chuyên viên\" letter.json -o letter.status.jws
  edoc status --trust demo/trust.pem --intermediates demo/intermediates.pem --crl demo/crl.pem \\
      --key demo/orgs/000.00.05.H57/seal.key --cert demo/orgs/000.00.05.H57/seal.pem \\
      --code 06 --staff \"Trần Thị Bình\" --after letter.status.jws letter.json";

/// `edoc status`.
#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    #[command(flatten)]
    pub(crate) key: KeyArgs,
    /// Two-digit status code, e.g. 03.
    #[arg(long, value_parser = parse_status_code, help_heading = "Required")]
    pub(crate) code: StatusCode,
    /// Free text, e.g. why the document was refused.
    #[arg(long, default_value = "")]
    pub(crate) description: String,
    /// Full name of the staff member who handled the document.
    #[arg(long, value_name = "NAME", help_heading = "Required")]
    pub(crate) staff: String,
    /// Position of the staff member.
    #[arg(long, value_name = "POSITION", default_value = "")]
    pub(crate) staff_position: String,
    /// The answering agency (default: the package's only recipient).
    #[arg(long, value_name = "CODE")]
    pub(crate) from: Option<OrgId>,
    /// The agency the status goes to (default: the document's sender).
    #[arg(long, value_name = "CODE")]
    pub(crate) to: Option<OrgId>,
    /// A status already set for this document between the same agencies (a signed status
    /// file), so the new code is checked against it. Repeatable, in any order.
    #[arg(long, value_name = "STATUS")]
    pub(crate) after: Vec<PathBuf>,
    /// Trust material to verify the package and the seal with; --at is the status's time.
    #[command(flatten)]
    pub(crate) inputs: TrustArgs,
    /// The received package, or `-` for standard input.
    #[arg(value_name = "PACKAGE")]
    pub(crate) package: String,
    /// Where to write the signed status (default: standard output).
    #[arg(short, long = "output", value_name = "OUT")]
    pub(crate) output: Option<PathBuf>,
}

/// `edoc pki ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum PkiCommand {
    /// Write a TEST-ONLY PKI for the sample directory (keys anyone may read: never for real documents).
    #[command(after_help = PKI_DEMO_HELP)]
    Demo(PkiDemoArgs),
}

const PKI_DEMO_HELP: &str = "\
Writes DIR/README.txt, DIR/trust.pem (root), DIR/intermediates.pem, DIR/crl.pem (the root's and
the intermediate's CRLs), DIR/directory.json (the sample directory, each agency bound to its
seal certificate), and for each agency of the sample directory DIR/orgs/<code>/seal.key,
seal.pem, signer.key and signer.pem (ES256 keys, certificates valid 2025-01-01..2030-01-01),
tls.pem and tls.key (the agency system's TLS client certificate), and for a network of two hubs
DIR/routing.json, DIR/hub.h57.toml, DIR/hub.national.toml and DIR/hubs/<hub>/ (seal and TLS).
Every file says it is for testing. The keys are unprotected: THIS IS FOR TRYING THE TOOL ONLY.

Example:
  edoc pki demo demo/
  edoc verify --trust demo/trust.pem --intermediates demo/intermediates.pem --crl demo/crl.pem \\
      --directory demo/directory.json letter.json";

/// `edoc pki demo`.
#[derive(Debug, Args)]
pub(crate) struct PkiDemoArgs {
    /// The folder to write into (created if missing; must be empty unless --force).
    #[arg(value_name = "DIR")]
    pub(crate) dir: PathBuf,
    /// Write into a non-empty folder, replacing files of the same names.
    #[arg(long)]
    pub(crate) force: bool,
    /// The port hub.h57.toml listens on (127.0.0.1).
    #[arg(long, value_name = "PORT", default_value_t = 8443)]
    pub(crate) city_port: u16,
    /// The port hub.national.toml listens on (127.0.0.1).
    #[arg(long, value_name = "PORT", default_value_t = 8444)]
    pub(crate) national_port: u16,
}

/// `edoc edxml ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum EdxmlCommand {
    /// Import an edXML document: a package (unsigned, ready for `edoc sign`; or the signed
    /// package it carries) or a status message, with a report of where every field went.
    #[command(after_help = EDXML_IMPORT_HELP)]
    Import(EdxmlImportArgs),
    /// Export a package (or a status message) as an edXML document, the package inside.
    #[command(after_help = EDXML_EXPORT_HELP)]
    Export(EdxmlExportArgs),
}

const EDXML_IMPORT_HELP: &str = "\
Every MessageHeader field goes to the package header or to an edxml.* extension of it
(docs/edxml.md); the report lists each field and where it went, then the notes (placeholder
agency codes, values kept as text, the XML-DSig signature, which is NOT verified). With -o the
report goes to standard output, without it to standard error and the package to standard output.

A document that carries an edoc package (package.edoc.json, as `edoc edxml export` writes it)
gives that package, with its signatures: verify it with `edoc verify`. --envelope-only reads the
envelope alone. A status message gives {\"status\": ..., \"details\": ..., \"signed\": ...}, which
`edoc edxml export` reads back.

Agency codes that are not QCVN 102:2016 codes (the national hub's vxp.saas.03) get placeholder
codes that no hub routes, unless --agency maps them.

Examples:
  edoc edxml import incoming/874e0f18.edxml -o letter.json
  edoc edxml import --agency vxp.saas.03=000.00.05.H57 incoming/874e0f18.edxml -o letter.json

Exit codes: 0 imported, 1 refused (the error names the element path), 2 usage or I/O error.";

/// `edoc edxml import`.
#[derive(Debug, Args)]
pub(crate) struct EdxmlImportArgs {
    /// The edXML file, or `-` for standard input.
    #[arg(value_name = "FILE")]
    pub(crate) file: String,
    /// Where to write the package (or status) JSON (default: standard output).
    #[arg(short, long = "output", value_name = "OUT")]
    pub(crate) output: Option<PathBuf>,
    /// An agency code of another system and the QCVN code it stands for, CODE=DDD.CC.BB.Xnn.
    /// Repeatable.
    #[arg(long = "agency", value_name = "CODE=ORGID", value_parser = parse_agency_map)]
    pub(crate) agency: Vec<(String, OrgId)>,
    /// Read the envelope alone, even when an edoc package travels inside.
    #[arg(long)]
    pub(crate) envelope_only: bool,
    /// Print the report as JSON.
    #[arg(long, conflicts_with = "quiet")]
    pub(crate) json: bool,
    /// Print no report.
    #[arg(long, short)]
    pub(crate) quiet: bool,
}

const EDXML_EXPORT_HELP: &str = "\
INPUT is a package (edoc's JSON), a status as `edoc edxml import` writes it, a status message's
JSON, or a signed status (a compact JWS, as `edoc status` writes it). A package's header goes
to MessageHeader, its trace to TraceHeaderList, its attachments (detached ones read beside the
package) to the manifest and AttachmentEncoded; the package itself travels inside as
package.edoc.json (application/vnd.edoc+json), so a receiving edoc verifies its signatures. A
signed status travels inside as status.edoc.jws. Classified documents are refused.

Examples:
  edoc edxml export letter.signed.json -o letter.edxml
  edoc edxml export --type-number KH=5 plan.json -o plan.edxml

Exit codes: 0 written, 1 refused, 2 usage or I/O error.";

/// `edoc edxml export`.
#[derive(Debug, Args)]
pub(crate) struct EdxmlExportArgs {
    /// The package or status file, or `-` for standard input.
    #[arg(value_name = "INPUT")]
    pub(crate) input: String,
    /// Where to write the edXML document (default: standard output).
    #[arg(short, long = "output", value_name = "OUT")]
    pub(crate) output: Option<PathBuf>,
    /// An agency code of another system and the QCVN code it stands for, CODE=DDD.CC.BB.Xnn:
    /// the code is written back for it. Repeatable.
    #[arg(long = "agency", value_name = "CODE=ORGID", value_parser = parse_agency_map)]
    pub(crate) agency: Vec<(String, OrgId)>,
    /// A document type code and its edXML Type number, CODE=N (built in: CV 1, BC 2, TTr 3,
    /// HS 4). Repeatable.
    #[arg(long = "type-number", value_name = "CODE=N", value_parser = parse_type_number)]
    pub(crate) type_number: Vec<(String, u32)>,
}

fn parse_agency_map(s: &str) -> Result<(String, OrgId), String> {
    let (code, id) = s
        .rsplit_once('=')
        .ok_or_else(|| "expected CODE=ORGID, e.g. vxp.saas.03=000.00.05.H57".to_owned())?;
    let id: OrgId = id.trim().parse().map_err(|e| format!("{e}"))?;
    Ok((code.trim().to_owned(), id))
}

fn parse_type_number(s: &str) -> Result<(String, u32), String> {
    let (code, n) = s
        .split_once('=')
        .ok_or_else(|| "expected CODE=N, e.g. KH=5".to_owned())?;
    let n = n
        .trim()
        .parse()
        .map_err(|_| format!("{n:?} is not a number"))?;
    Ok((code.trim().to_owned(), n))
}

fn parse_instant(s: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .map_err(|e| format!("not an RFC 3339 time like 2025-07-02T15:00:00+07:00: {e}"))
}

fn parse_date(s: &str) -> Result<Date, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s, format).map_err(|e| format!("not a date like 2025-07-02: {e}"))
}

fn parse_agency(s: &str) -> Result<Agency, String> {
    let (code, name) = s
        .split_once('=')
        .ok_or_else(|| "expected CODE=NAME, e.g. \"000.00.05.H57=Sở Tài chính\"".to_owned())?;
    let id: OrgId = code.trim().parse().map_err(|e| format!("{e}"))?;
    Ok(Agency::new(id, name.trim()))
}

fn parse_status_code(s: &str) -> Result<StatusCode, String> {
    StatusCode::from_code(s)
        .ok_or_else(|| format!("unknown status code {s:?}; expected 01-06, 13, 15 or 16"))
}

/// `edoc hub ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum HubCommand {
    /// Serve a hub: its HTTPS API (client certificates required) and its forwarder.
    #[command(after_help = HUB_SERVE_HELP)]
    Serve(HubServeArgs),
}

const HUB_SERVE_HELP: &str = "\
Reads hub.toml (listen address, TLS certificate and key, seal, trust anchors and CRLs,
directory, routing table, neighbour hubs with URLs and certificate fingerprints, data folder),
opens the hub's store and serves until SIGTERM or Ctrl-C, then stops accepting, lets requests
in flight finish and commits what is queued. Logs go to standard error (EDOC_LOG=debug for more).
It prints one line when it listens:
  hub.h57 listening on https://127.0.0.1:8443

`edoc pki demo DIR` writes DIR/hub.h57.toml and DIR/hub.national.toml to try it.

Example:
  edoc hub serve --config demo/hub.h57.toml";

/// `edoc hub serve`.
#[derive(Debug, Args)]
pub(crate) struct HubServeArgs {
    /// The hub's configuration file.
    #[arg(long, value_name = "TOML")]
    pub(crate) config: PathBuf,
}

/// How to reach the agency's hub and what to trust: shared by send, fetch and ack.
#[derive(Debug, Args)]
#[cfg_attr(not(feature = "client"), allow(dead_code))]
pub(crate) struct ConnectArgs {
    /// The hub's URL, https://host:port.
    #[arg(long, value_name = "URL")]
    pub(crate) hub: String,
    /// The agency's TLS certificate (id-kp-clientAuth), PEM, leaf first.
    #[arg(long = "tls-cert", value_name = "PEM")]
    pub(crate) tls_cert: PathBuf,
    /// The key of --tls-cert, PEM.
    #[arg(long = "tls-key", value_name = "PEM")]
    pub(crate) tls_key: PathBuf,
    /// The agency's code; by default the organizationIdentifier of --tls-cert.
    #[arg(long, value_name = "CODE")]
    pub(crate) agency: Option<OrgId>,
    /// Trust anchors (root certificates), PEM: for the hub's certificate and its receipts.
    #[arg(long = "trust", value_name = "PEM", required = true)]
    pub(crate) trust: Vec<PathBuf>,
    /// Intermediate CA certificates, PEM. Repeatable.
    #[arg(long = "intermediates", value_name = "PEM")]
    pub(crate) intermediates: Vec<PathBuf>,
    /// CRLs, PEM. Repeatable.
    #[arg(long = "crl", value_name = "PEM")]
    pub(crate) crl: Vec<PathBuf>,
    /// A hub whose seal may sign receipts, as NAME=PEM (its seal certificate). Repeatable; at
    /// least the hub connected to.
    #[arg(long = "hub-seal", value_name = "NAME=PEM", required = true)]
    pub(crate) hub_seal: Vec<String>,
    /// A validation policy (JSON); strict by default.
    #[arg(long, value_name = "FILE")]
    pub(crate) policy: Option<PathBuf>,
}

const SEND_HELP: &str = "\
Each FILE is a signed package (JSON) or a signed status message (JWS compact, as `edoc status`
writes it). A submission counts only once the hub's signed receipt verifies; the client retries
what failed for a retryable reason, and a resubmitted package gets its first receipt back.

Output: one line per file, `SENT` with what the hub did for each recipient, or `REFUSED` with
the hub's reason (for a package that failed verification, its sub-indication).

Example:
  A=demo/orgs/000.00.41.H57
  edoc send --hub https://127.0.0.1:8443 --tls-cert $A/tls.pem --tls-key $A/tls.key \\
      --trust demo/trust.pem --intermediates demo/intermediates.pem --crl demo/crl.pem \\
      --hub-seal hub.h57=demo/hubs/hub.h57/seal.pem letter.json

Exit codes: 0 all accepted, 1 any refused, 2 usage or I/O error, 3 the hub is unavailable
(retry later).";

/// `edoc send`.
#[derive(Debug, Args)]
#[cfg_attr(not(feature = "client"), allow(dead_code))]
pub(crate) struct SendArgs {
    #[command(flatten)]
    pub(crate) connect: ConnectArgs,
    /// Write each signed receipt into this folder as FILE.receipt.jws.
    #[arg(long, value_name = "DIR")]
    pub(crate) receipts: Option<PathBuf>,
    /// The packages or status messages to send.
    #[arg(value_name = "FILE", required = true)]
    pub(crate) files: Vec<PathBuf>,
}

const FETCH_HELP: &str = "\
Fetches the agency's deliveries until its mailbox is empty. Each is written into --out DIR
(through a temporary file, fsynced, renamed), then verified (a package: its signatures under the
policy; a status: its seal), and acknowledged only then. One that fails verification is kept as
*.FAILED and not acknowledged: the hub hands it out again after its visibility timeout.

Output: one line per delivery, `OK` or `FAILED`, then a summary.

Example:
  F=demo/orgs/000.00.05.H57
  edoc fetch --hub https://127.0.0.1:8443 --tls-cert $F/tls.pem --tls-key $F/tls.key \\
      --trust demo/trust.pem --intermediates demo/intermediates.pem --crl demo/crl.pem \\
      --hub-seal hub.h57=demo/hubs/hub.h57/seal.pem --directory demo/directory.json --out inbox/

Exit codes: 0 every delivery verified, 1 any failed, 2 usage or I/O error, 3 the hub is
unavailable (retry later).";

/// `edoc fetch`.
#[derive(Debug, Args)]
#[cfg_attr(not(feature = "client"), allow(dead_code))]
pub(crate) struct FetchArgs {
    #[command(flatten)]
    pub(crate) connect: ConnectArgs,
    /// Where the deliveries are written.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,
    /// The directory of agencies (JSON): which seals belong to whom.
    #[arg(long, value_name = "FILE")]
    pub(crate) directory: Option<PathBuf>,
    /// How long to wait for a first delivery when the mailbox is empty, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub(crate) wait: u64,
    /// Deliveries asked for at a time.
    #[arg(long, value_name = "N", default_value_t = 16)]
    pub(crate) max: usize,
}

const ACK_HELP: &str = "\
Acknowledges deliveries of the agency's mailbox by number (the number `edoc fetch` prints and
puts first in each file name). Acknowledging twice is harmless.

Example:
  edoc ack --hub https://127.0.0.1:8443 --tls-cert $F/tls.pem --tls-key $F/tls.key \\
      --trust demo/trust.pem --hub-seal hub.h57=demo/hubs/hub.h57/seal.pem 12 13";

/// `edoc ack`.
#[derive(Debug, Args)]
#[cfg_attr(not(feature = "client"), allow(dead_code))]
pub(crate) struct AckArgs {
    #[command(flatten)]
    pub(crate) connect: ConnectArgs,
    /// Delivery numbers.
    #[arg(value_name = "ID", required = true)]
    pub(crate) ids: Vec<u64>,
}
