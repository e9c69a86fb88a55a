//! Every size, depth and count bound applied to untrusted packages, in one place.

/// Bounds applied when parsing untrusted bytes (packages and, through `json::check`, other JSON).
///
/// `Limits::default()` is safe for production; every number says where it comes from. Callers
/// may raise or lower any field:
///
/// ```
/// let limits = edoc::Limits { max_recipients: 10_000, ..edoc::Limits::default() };
/// assert!(limits.max_recipients > edoc::Limits::default().max_recipients);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Total bytes of one package. Default 64 MiB: inline attachments are base64 (4/3 of their
    /// size) and meant for ordinary office files, a few MiB each; anything larger goes detached.
    pub max_package_bytes: usize,
    /// Bytes of the header's canonical (RFC 8785) form. Default 1 MiB: a header with 5 000
    /// recipients of 150-byte names is under 1 MiB; a real header is a few KiB.
    pub max_header_bytes: usize,
    /// Nesting depth of arrays and objects. Default 32: the package format itself nests 5 deep;
    /// the rest is room for extension values. Checked before recursing, so deep input is cheap.
    /// serde_json stops at 128 on its own, so values above 127 act as 127 (a syntax error).
    pub max_depth: usize,
    /// Main plus copy recipients. Default 5 000: a city writes to ~100 communes; a national
    /// broadcast to the ~3 300 communes and wards (DOMAIN.md) plus ministries and provinces.
    pub max_recipients: usize,
    /// Attachments in the manifest. Default 256: a dossier of appendices; edXML sets no bound.
    pub max_attachments: usize,
    /// Signatures on the package. Default 16: the person and the seal (Decree 30/2020) plus
    /// co-signers and counter-signatures.
    pub max_signatures: usize,
    /// Trace entries. Default 32: commune, city hub, national hub, ministry hub is 4 hops; 32
    /// leaves room for re-routing and refuses loops early.
    pub max_trace_entries: usize,
    /// Bytes of any one JSON string or key (after unescaping), except inline attachment data.
    /// Default 64 KiB: the longest legitimate string is a JWS protected header carrying an `x5c`
    /// chain of a few certificates (~8 KiB).
    pub max_string_bytes: usize,
    /// Entries in the header's extension map. Default 64: deployment-specific fields, not data.
    pub max_extension_entries: usize,
    /// JSON values (scalars, arrays, objects) in one document, counted by the strict pre-pass
    /// before anything is built from them. Default 100 000: a header at the recipient limit
    /// holds about 15 000; a value costs tens of bytes in memory for one or two on the wire, so
    /// this bound keeps what any input can make a parser allocate to a small multiple of its
    /// size.
    pub max_values: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_package_bytes: 64 << 20,
            max_header_bytes: 1 << 20,
            max_depth: 32,
            max_recipients: 5_000,
            max_attachments: 256,
            max_signatures: 16,
            max_trace_entries: 32,
            max_string_bytes: 64 << 10,
            max_extension_entries: 64,
            max_values: 100_000,
        }
    }
}
