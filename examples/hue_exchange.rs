//! The seed story, end to end: Hue city, its departments, communes A Luoi 1–5 and one ministry,
//! exchanging signed documents through two hubs (the city's LGSP `hub.h57` and the national
//! `hub.national`), with a test PKI generated on the fly.
//!
//! ```sh
//! cargo run --release --example hue_exchange            # the account and a summary table
//! cargo run --release --example hue_exchange -- --out DIR   # also writes every package,
//!                                                           # receipt and status into DIR
//! cargo run --release --example hue_exchange -- --data DIR  # keeps the hubs' stores in DIR;
//!                                                           # run again: the mailboxes are there
//! ```
//!
//! Each hub keeps its mailboxes in a durable store (`DurableStore`, one redb file per hub):
//! in a fresh temporary folder, deleted at exit, unless `--data DIR` names one. Run again with
//! the same `--data DIR`, the hubs restart on their files and show the mailboxes of the last
//! run (each document verified again against the TEST PKI saved in DIR) instead of replaying
//! the story on top of them.
//!
//! The agency codes are the sample directory's ILLUSTRATIVE codes, and every certificate comes
//! from the edoc TEST PKI: nothing here is valid for real documents.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use edoc::{
    verify_trace, Agency, Algorithm, AttachmentEntry, Commitment, Competence, Confidentiality,
    DeliveryState, Detached, Directory, DurableStore, HeaderBuilder, HubId, HubRegistry,
    InProcessNetwork, InReplyTo, Limits, MailboxStore, OrgId, Package, PayloadKind, Policy, Router,
    RouterConfig, RoutingTable, Staff, StatusCode, StatusMessage, SubmitError, TestPki, TrustStore,
    Urgency, Verifier,
};
use time::format_description::well_known::Rfc3339;
use time::macros::{date, datetime};
use time::{Date, Duration, OffsetDateTime};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

const CITY: &str = "000.00.00.H57";
const FINANCE: &str = "000.00.05.H57";
const A_LUOI_1: &str = "000.00.41.H57";
const A_LUOI_2: &str = "000.00.42.H57";
const A_LUOI_4: &str = "000.00.44.H57";
const A_LUOI_5: &str = "000.00.45.H57";
const MINISTRY: &str = "000.00.00.G09";

fn id(s: &str) -> OrgId {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

struct Demo {
    pki: TestPki,
    trust: Arc<TrustStore>,
    policy: Policy,
    directory: Arc<Directory>,
    hubs: HubRegistry,
    net: InProcessNetwork,
    out: Option<PathBuf>,
    files: usize,
    summary: Vec<(String, String)>,
}

impl Demo {
    fn new(out: Option<PathBuf>, data: &Path) -> Result<Demo> {
        let pki = TestPki::new()?;
        let trust = Arc::new(pki.trust_store(&[])?);
        let directory = Arc::new(Directory::sample());
        let city_hub = pki.seal("Hue LGSP hub (TEST)", &id(CITY), Algorithm::Es256)?;
        let national_hub = pki.seal(
            "National VDXP hub (TEST)",
            &id("000.00.00.G01"),
            Algorithm::Es256,
        )?;
        let mut hubs = HubRegistry::new();
        for (name, seal) in [("hub.h57", &city_hub), ("hub.national", &national_hub)] {
            hubs.add(
                name.parse()?,
                Directory::certificate_fingerprint(seal.chain.first().ok_or("no certificate")?),
            );
        }
        let mut net = InProcessNetwork::new();
        for (name, seal) in [("hub.h57", &city_hub), ("hub.national", &national_hub)] {
            net.add(Arc::new(Router::new(RouterConfig {
                hub: name.parse()?,
                trust: Arc::clone(&trust),
                policy: Policy::strict(),
                limits: Limits::default(),
                directory: Arc::clone(&directory),
                table: RoutingTable::sample(),
                hubs: hubs.clone(),
                seal: Arc::new(seal.signer()?),
                store: Arc::new(DurableStore::open(
                    store_path(data, name),
                    VISIBILITY_TIMEOUT,
                )?),
            })));
        }
        // Kept with the stores, so that a later run can verify what they hold.
        save_pki(&pki, data)?;
        if let Some(dir) = &out {
            std::fs::create_dir_all(dir)?;
            // What `edoc verify` needs to check the written packages offline.
            std::fs::write(dir.join("trust-anchors.pem"), pki.anchors_pem())?;
            std::fs::write(dir.join("intermediates.pem"), pki.intermediates_pem())?;
            std::fs::write(dir.join("crls.pem"), pki.crls_pem(&[])?)?;
            // Which certificate signs for which hub: receipts and trace entries need it.
            std::fs::write(dir.join("hubs.json"), hubs.to_json())?;
        }
        Ok(Demo {
            pki,
            trust,
            policy: Policy::strict(),
            directory,
            hubs,
            net,
            out,
            files: 0,
            summary: Vec::new(),
        })
    }

    fn hub(&self, name: &str) -> Result<&Router> {
        let hub: HubId = name.parse()?;
        Ok(self.net.router(&hub).ok_or("no such hub")?)
    }

    fn name(&self, code: &str) -> String {
        self.directory
            .agency(&id(code))
            .map_or_else(|| code.to_owned(), |a| a.name_vi().to_owned())
    }

    fn save(&mut self, file: &str, bytes: &[u8]) -> Result<()> {
        if let Some(dir) = &self.out {
            self.files += 1;
            std::fs::write(dir.join(format!("{:02}-{file}", self.files)), bytes)?;
        }
        Ok(())
    }

    fn note(&mut self, step: &str, outcome: impl Into<String>) {
        self.summary.push((step.to_owned(), outcome.into()));
    }

    /// A package signed by the chairman of `sender` and sealed by `sealed_by`'s seal.
    #[allow(clippy::too_many_arguments)]
    fn package(
        &self,
        sender: &str,
        sealed_by: &str,
        to: &[OrgId],
        number: &str,
        subject: &str,
        issued: Date,
        extra: impl FnOnce(HeaderBuilder) -> HeaderBuilder,
        signed_at: OffsetDateTime,
    ) -> Result<Vec<u8>> {
        let pdf = format!("%PDF-1.7 (TEST) {subject}").into_bytes();
        let (head, position) = head_of(sender);
        let mut b = HeaderBuilder::new()
            .sender(Agency::new(id(sender), self.name(sender)))
            .document_type("CV", "Công văn")
            .number_and_notation(number, "UBND-VP")
            .issued("Huế", issued)
            .subject(subject)
            .signatory(head, position, Competence::None)
            .attachment(AttachmentEntry::for_bytes(
                "van-ban.pdf",
                "application/pdf",
                &pdf,
            )?);
        for r in to {
            b = b.recipient(Agency::new(*r, self.name(&r.to_string())));
        }
        let mut p = Package::new(extra(b).build()?, [("van-ban.pdf".to_owned(), pdf)])?;
        let person = self
            .pki
            .person(head, &self.name(sender), &id(sender), Algorithm::Es256)?;
        let seal = self
            .pki
            .seal(&self.name(sealed_by), &id(sealed_by), Algorithm::Es256)?;
        p.sign(
            &person.signer()?,
            Commitment::ProofOfApproval,
            signed_at,
            &mut Detached::none(),
        )?;
        p.sign(
            &seal.signer()?,
            Commitment::ProofOfOrigin,
            signed_at,
            &mut Detached::none(),
        )?;
        Ok(p.to_json())
    }

    /// Submits a document at the sender's hub and prints what the hub did.
    fn submit(&mut self, hub: &str, file: &str, bytes: &[u8], now: OffsetDateTime) -> Result<()> {
        self.save(&format!("{file}.package.json"), bytes)?;
        let accepted = self.hub(hub)?.submit(bytes, now)?;
        self.save(&format!("{file}.receipt.jws"), &accepted.signed_receipt)?;
        for d in &accepted.receipt.dispositions {
            println!(
                "    {hub}: {} → {}",
                self.name(&d.recipient.to_string()),
                d.disposition
            );
        }
        Ok(())
    }

    /// Signs and submits a status from `from` about `doc` to `to`, then lets the hubs forward.
    fn status(
        &mut self,
        from: &str,
        to: &str,
        doc: &str,
        code: StatusCode,
        description: &str,
        at: OffsetDateTime,
    ) -> Result<()> {
        let seal = self
            .pki
            .seal(&self.name(from), &id(from), Algorithm::Es256)?;
        let signed = StatusMessage {
            from: id(from),
            to: id(to),
            document_id: doc.to_owned(),
            code,
            description: description.to_owned(),
            time: at,
            staff: Staff {
                name: "Nguyễn Thị Văn Thư".into(),
                position: "Văn thư".into(),
            },
        }
        .sign(&seal.signer()?)?;
        let hub = if id(from).root_code() == "H57" {
            "hub.h57"
        } else {
            "hub.national"
        };
        self.save(
            &format!("status-{}-{}.jws", code.code(), from.replace('.', "_")),
            &signed,
        )?;
        self.hub(hub)?.submit_status(&signed, at)?;
        self.net.pump(at)?;
        println!("    {} → {}: {code}", self.name(from), self.name(to));
        Ok(())
    }

    /// Fetches and acknowledges `agency`'s mailbox at its hub, verifying each document.
    fn fetch(&mut self, hub: &str, agency: &str, now: OffsetDateTime) -> Result<Vec<Vec<u8>>> {
        let store = Arc::clone(self.hub(hub)?.store());
        let mut documents = Vec::new();
        for d in store.fetch(&id(agency), 100, now)? {
            if d.kind == PayloadKind::Document {
                let v = Verifier::new(&self.trust, &self.policy)
                    .with_directory(self.directory.as_ref())
                    .verify_bytes(&d.payload, &Limits::default(), &mut Detached::none(), now)?;
                println!(
                    "    {} fetched {} \"{}\": signatures verified",
                    self.name(agency),
                    d.document_id,
                    v.header().subject()
                );
                documents.push(d.payload.to_vec());
            }
            store.ack(&id(agency), d.id, now)?;
        }
        Ok(documents)
    }
}

const USAGE: &str = "usage: hue_exchange [--out DIR] [--data DIR]";
const HUBS: [&str; 2] = ["hub.h57", "hub.national"];
/// How long a fetched delivery stays invisible before it comes back unless acknowledged.
const VISIBILITY_TIMEOUT: Duration = Duration::minutes(10);
/// When the mailboxes are verified again on a later run: the day after the story, inside the
/// TEST certificates' validity.
const LATER: OffsetDateTime = datetime!(2025-07-03 12:00 +07:00);

fn store_path(data: &Path, hub: &str) -> PathBuf {
    data.join(format!("{hub}.redb"))
}

fn save_pki(pki: &TestPki, data: &Path) -> Result<()> {
    let pki_dir = data.join("test-pki");
    std::fs::create_dir_all(&pki_dir)?;
    std::fs::write(pki_dir.join("trust-anchors.pem"), pki.anchors_pem())?;
    std::fs::write(pki_dir.join("intermediates.pem"), pki.intermediates_pem())?;
    std::fs::write(pki_dir.join("crls.pem"), pki.crls_pem(&[])?)?;
    Ok(())
}

fn load_trust(data: &Path) -> Result<TrustStore> {
    let pki_dir = data.join("test-pki");
    let mut trust = TrustStore::default();
    trust.add_anchors_pem(&std::fs::read(pki_dir.join("trust-anchors.pem"))?)?;
    trust.add_intermediates_pem(&std::fs::read(pki_dir.join("intermediates.pem"))?)?;
    trust.add_crls_pem(&std::fs::read(pki_dir.join("crls.pem"))?)?;
    Ok(trust)
}

/// Every delivery each agency of the directory has at each hub, read from the stores, each
/// document verified again.
fn show_mailboxes(
    stores: &[(&str, &dyn MailboxStore)],
    trust: &TrustStore,
    directory: &Directory,
) -> Result<()> {
    let policy = Policy::strict();
    let verifier = Verifier::new(trust, &policy).with_directory(directory);
    let mut agencies: Vec<OrgId> = directory.agencies().iter().map(|a| a.id()).collect();
    if !agencies.contains(&id(MINISTRY)) {
        agencies.push(id(MINISTRY));
    }
    for (hub, store) in stores {
        println!("  {hub}:");
        let mut any = false;
        for agency in &agencies {
            let deliveries = store.deliveries(agency)?;
            if deliveries.is_empty() {
                continue;
            }
            any = true;
            let name = directory
                .agency(agency)
                .map_or_else(|| agency.to_string(), |a| a.name_vi().to_owned());
            println!("    {name} ({agency}):");
            for d in deliveries {
                let state = match d.state {
                    DeliveryState::Ready => "waiting".to_owned(),
                    DeliveryState::InFlight { until } => {
                        format!("fetched, back at {}", until.format(&Rfc3339)?)
                    }
                    DeliveryState::Acked { at } => format!("acknowledged {}", at.format(&Rfc3339)?),
                };
                let check = match d.kind {
                    PayloadKind::Document => match verifier.verify_bytes(
                        &d.payload,
                        &Limits::default(),
                        &mut Detached::none(),
                        LATER,
                    ) {
                        Ok(_) => "signatures verified".to_owned(),
                        Err(r) => format!("DOES NOT VERIFY: {}", r.report()),
                    },
                    _ => "status message".to_owned(),
                };
                println!(
                    "      #{} {} [{state}; fetched {} time(s)] {check}",
                    d.id.0, d.document_id, d.attempts
                );
            }
        }
        if !any {
            println!("    (no deliveries)");
        }
    }
    Ok(())
}

/// A later run on the same `--data DIR`: the hubs restart on their stores.
fn show_last_run(data: &Path) -> Result<()> {
    println!(
        "edoc — the Hue seed story already ran with its stores in {}: the hubs restart on them.\n",
        data.display()
    );
    let trust = load_trust(data)?;
    let directory = Directory::sample();
    let stores: Vec<(&str, DurableStore)> = HUBS
        .iter()
        .map(|h| {
            Ok((
                *h,
                DurableStore::open(store_path(data, h), VISIBILITY_TIMEOUT)?,
            ))
        })
        .collect::<Result<_>>()?;
    let views: Vec<(&str, &dyn MailboxStore)> = stores
        .iter()
        .map(|(h, s)| (*h, s as &dyn MailboxStore))
        .collect();
    println!("Mailboxes from the last run");
    show_mailboxes(&views, &trust, &directory)?;
    println!(
        "\nTo run the story again, give a new folder to --data (or none, for a temporary one)."
    );
    Ok(())
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let mut out = None;
    let mut data = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--out" => out = Some(PathBuf::from(args.next().ok_or("--out needs a folder")?)),
            "--data" => data = Some(PathBuf::from(args.next().ok_or("--data needs a folder")?)),
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other:?}; {USAGE}").into()),
        }
    }
    // The hubs' stores: in DIR, or in a temporary folder removed when `temporary` drops.
    let (temporary, data) = match data {
        Some(dir) => {
            std::fs::create_dir_all(&dir)?;
            if HUBS.iter().any(|h| store_path(&dir, h).exists()) {
                return show_last_run(&dir);
            }
            (None, dir)
        }
        None => {
            let t = tempfile::tempdir()?;
            let dir = t.path().to_path_buf();
            (Some(t), dir)
        }
    };
    let mut demo = Demo::new(out, &data)?;
    println!("edoc — the Hue seed story (TEST PKI, ILLUSTRATIVE agency codes)");
    println!(
        "hub stores (durable): {}{}\n",
        data.display(),
        if temporary.is_some() {
            " (temporary; --data DIR keeps them)"
        } else {
            ""
        }
    );

    // 1. A Luoi 5 asks the Department of Finance for guidance; the department answers.
    println!("1. A Lưới 5 asks the Department of Finance for purchasing guidelines");
    let t = datetime!(2025-07-01 08:00 +07:00);
    let request = demo.package(
        A_LUOI_5,
        A_LUOI_5,
        &[id(FINANCE)],
        "12",
        "Xin hướng dẫn mua sắm và tạm cấp kinh phí năm 2025",
        date!(2025 - 07 - 01),
        |b| b.urgency(Urgency::Urgent),
        t,
    )?;
    demo.submit(
        "hub.h57",
        "request-a-luoi-5",
        &request,
        t + Duration::minutes(5),
    )?;
    let request_id = format!("{A_LUOI_5},2025/07/01,12/UBND-VP");
    demo.fetch("hub.h57", FINANCE, t + Duration::minutes(30))?;
    for (h, code, text) in [
        (1, StatusCode::Accepted, "Đã tiếp nhận, vào sổ"),
        (2, StatusCode::Processing, "Đang xây dựng hướng dẫn"),
    ] {
        demo.status(
            FINANCE,
            A_LUOI_5,
            &request_id,
            code,
            text,
            t + Duration::hours(h),
        )?;
    }
    let answer = demo.package(
        FINANCE,
        FINANCE,
        &[id(A_LUOI_5)],
        "88",
        "Hướng dẫn mua sắm tài sản và tạm cấp kinh phí năm 2025",
        date!(2025 - 07 - 01),
        |b| {
            b.in_reply_to(InReplyTo {
                agency: id(A_LUOI_5),
                code: "12/UBND-VP".into(),
                date: date!(2025 - 07 - 01),
                document_id: request_id.parse().unwrap_or_else(|e| panic!("{e}")),
            })
        },
        t + Duration::hours(5),
    )?;
    demo.submit(
        "hub.h57",
        "guidance-finance",
        &answer,
        t + Duration::hours(5),
    )?;
    demo.fetch("hub.h57", A_LUOI_5, t + Duration::hours(6))?;
    demo.status(
        FINANCE,
        A_LUOI_5,
        &request_id,
        StatusCode::Completed,
        "Đã ban hành văn bản hướng dẫn số 88",
        t + Duration::hours(6),
    )?;
    let codes: Vec<String> = demo
        .hub("hub.h57")?
        .store()
        .status_history(&request_id, &id(FINANCE))?
        .iter()
        .filter_map(|r| r.code().map(|c| c.code().to_owned()))
        .collect();
    demo.note(
        "request to Finance, answered",
        format!("statuses {}", codes.join(" → ")),
    );

    // 2. The city's plan to every commune, due 18 July 2025.
    println!("\n2. The city People's Committee sends its plan to all communes, due 2025-07-18");
    let communes = demo.directory.expand_group("communes")?;
    let t = datetime!(2025-07-02 08:00 +07:00);
    let plan = demo.package(
        CITY,
        CITY,
        &communes,
        "45",
        "Kế hoạch hoàn thành 100% xóa nhà tạm, nhà dột nát trước Hội nghị sơ kết",
        date!(2025 - 07 - 02),
        |b| {
            b.due_date(date!(2025 - 07 - 18))
                .urgency(Urgency::VeryUrgent)
        },
        t,
    )?;
    demo.submit("hub.h57", "plan-city", &plan, t + Duration::minutes(5))?;
    let plan_id = format!("{CITY},2025/07/02,45/UBND-VP");
    for (i, c) in communes.iter().enumerate() {
        let c = c.to_string();
        let at = t + Duration::days(1 + i as i64);
        demo.fetch("hub.h57", &c, at)?;
        demo.status(&c, CITY, &plan_id, StatusCode::Accepted, "Đã tiếp nhận", at)?;
        if c != A_LUOI_4 {
            demo.status(
                &c,
                CITY,
                &plan_id,
                StatusCode::Completed,
                "Đã hoàn thành 100%",
                at + Duration::days(7),
            )?;
        }
    }
    let overdue = demo.hub("hub.h57")?.overdue(date!(2025 - 07 - 19))?;
    for o in &overdue {
        println!(
            "    OVERDUE on 2025-07-19: {} has not completed {} (due {}, latest status {})",
            demo.name(&o.recipient.to_string()),
            o.document_id,
            o.due.map_or_else(|| "none".to_owned(), |d| d.to_string()),
            o.latest
                .as_ref()
                .map_or_else(|| "none".to_owned(), |c| c.to_string())
        );
    }
    let names: Vec<String> = overdue
        .iter()
        .map(|o| demo.name(&o.recipient.to_string()))
        .collect();
    demo.note(
        "plan to 5 communes, due 18 July",
        format!("overdue: {}", names.join(", ")),
    );

    // 3. A Luoi 2 reports to the Ministry of Home Affairs through both hubs.
    println!("\n3. A Lưới 2 reports to the Ministry of Home Affairs, through two hubs");
    let t = datetime!(2025-07-03 09:00 +07:00);
    let report = demo.package(
        A_LUOI_2,
        A_LUOI_2,
        &[id(MINISTRY)],
        "21",
        "Báo cáo tình hình tổ chức bộ máy chính quyền cấp xã",
        date!(2025 - 07 - 03),
        |b| b,
        t,
    )?;
    demo.submit("hub.h57", "report-a-luoi-2", &report, t)?;
    demo.net.pump(t)?;
    let delivered = demo.fetch("hub.national", MINISTRY, t + Duration::minutes(10))?;
    let mut hops_text = String::from("not delivered");
    if let Some(bytes) = delivered.first() {
        // As the ministry received it: with both hubs' trace entries.
        demo.save("report-a-luoi-2.delivered.package.json", bytes)?;
        let verified = Verifier::new(&demo.trust, &demo.policy).verify_bytes(
            bytes,
            &Limits::default(),
            &mut Detached::none(),
            t + Duration::minutes(10),
        )?;
        let hops = verify_trace(
            &verified,
            &demo.hubs,
            &demo.trust,
            &demo.policy,
            t + Duration::minutes(10),
        )?;
        for h in &hops {
            let forwarded: Vec<String> = h.forwarded.iter().map(|f| f.hub.to_string()).collect();
            println!(
                "    trace: {} at {} delivered {:?} forwarded to {:?} (signature verified)",
                h.hub,
                h.time.format(&Rfc3339)?,
                h.delivered
                    .iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>(),
                forwarded
            );
        }
        hops_text = format!(
            "delivered; trace {}",
            hops.iter()
                .map(|h| h.hub.to_string())
                .collect::<Vec<_>>()
                .join(" → ")
        );
    }
    demo.status(
        MINISTRY,
        A_LUOI_2,
        &format!("{A_LUOI_2},2025/07/03,21/UBND-VP"),
        StatusCode::Accepted,
        "Bộ Nội vụ đã tiếp nhận",
        t + Duration::hours(1),
    )?;
    demo.note("report to the ministry", hops_text);

    // 4. Two packages the hub must refuse.
    println!("\n4. Packages the hub refuses");
    let forged = demo.package(
        A_LUOI_2,
        A_LUOI_1,
        &[id(FINANCE)],
        "22",
        "Văn bản đóng dấu của xã A Lưới 1 nhưng ghi là của xã A Lưới 2",
        date!(2025 - 07 - 03),
        |b| b,
        t,
    )?;
    demo.save("forged.package.json", &forged)?;
    match demo.hub("hub.h57")?.submit(&forged, t) {
        Err(SubmitError::Rejected(r)) => {
            println!("    refused (sealed by A Lưới 1, claims A Lưới 2):");
            for line in r.report().to_string().lines() {
                println!("      {line}");
            }
            demo.note(
                "A Luoi 1 seal claiming A Luoi 2",
                format!(
                    "refused: {}",
                    r.sub_indication().map_or("?".into(), |s| s.to_string())
                ),
            );
        }
        other => return Err(format!("the forged package was not refused: {other:?}").into()),
    }
    let secret = demo.package(
        A_LUOI_5,
        A_LUOI_5,
        &[id(FINANCE)],
        "13",
        "Văn bản mật",
        date!(2025 - 07 - 03),
        |b| b.confidentiality(Confidentiality::Confidential),
        t,
    )?;
    demo.save("classified.package.json", &secret)?;
    match demo.hub("hub.h57")?.submit(&secret, t) {
        Err(e @ SubmitError::Classified { .. }) => {
            println!("    refused: {e}");
            demo.note("classified document", "refused: never sent on this network");
        }
        other => return Err(format!("the classified package was not refused: {other:?}").into()),
    }

    println!("\nMailboxes (kept in {})", data.display());
    let views: Vec<(&str, &dyn MailboxStore)> = HUBS
        .iter()
        .map(|h| Ok((*h, demo.hub(h)?.store().as_ref())))
        .collect::<Result<_>>()?;
    show_mailboxes(&views, &demo.trust, &demo.directory)?;

    println!("\nSummary");
    let width = demo.summary.iter().map(|(s, _)| s.len()).max().unwrap_or(0);
    for (step, outcome) in &demo.summary {
        println!("  {step:width$}  {outcome}");
    }
    if let Some(dir) = &demo.out {
        println!(
            "\n{} files written to {}, with the TEST PKI (trust-anchors.pem, intermediates.pem, \
             crls.pem) and the hubs' certificates (hubs.json). Check every package, receipt \
             and status (the forged package must fail) with:\n  edoc verify --trust \
             {d}/trust-anchors.pem --intermediates {d}/intermediates.pem --crl {d}/crls.pem \
             --hubs {d}/hubs.json --at 2025-07-20T12:00:00+07:00 {d}",
            demo.files,
            dir.display(),
            d = dir.display()
        );
    }
    Ok(())
}

/// The competent person who signs for each sender in the story: invented names, for the demo.
fn head_of(sender: &str) -> (&'static str, &'static str) {
    match sender {
        "000.00.00.H57" => ("Nguyễn Văn An", "Chủ tịch"),
        "000.00.05.H57" => ("Trần Thị Bình", "Giám đốc"),
        "000.00.42.H57" => ("Lê Văn Cường", "Chủ tịch"),
        _ => ("Hồ Văn Lâm", "Chủ tịch"),
    }
}
