//! The directory: sample contents, groups, certificates, and the strict JSON form.

use edoc::{
    AgencyGroup, AgencyKind, AgencyRecord, Directory, DirectoryError, DirectoryLimits, OrgId,
};

fn id(s: &str) -> OrgId {
    s.parse().unwrap()
}

fn agency(code: &str, name: &str) -> AgencyRecord {
    AgencyRecord::new(id(code), AgencyKind::Other, name, name)
}

/// A directory with four agencies under one root, for group tests.
fn four() -> Directory {
    let mut d = Directory::new();
    d.add_agency(agency("000.00.00.H57", "root")).unwrap();
    for n in 1..=3 {
        d.add_agency(
            agency(&format!("000.00.0{n}.H57"), &format!("unit {n}"))
                .with_parent(id("000.00.00.H57")),
        )
        .unwrap();
    }
    d
}

#[test]
fn sample_directory_tells_the_seed_story() {
    let d = Directory::sample();
    let city = d.agency(&id("000.00.00.H57")).unwrap();
    assert_eq!(city.kind(), AgencyKind::CityPeoplesCommittee);
    assert_eq!(city.name_vi(), "UBND thành phố Huế");
    let a_luoi_5 = d.agency(&id("000.00.45.H57")).unwrap();
    assert_eq!(a_luoi_5.name_vi(), "UBND xã A Lưới 5");
    assert_eq!(a_luoi_5.kind(), AgencyKind::CommunePeoplesCommittee);
    assert_eq!(a_luoi_5.parent(), Some(id("000.00.00.H57")));
    let center = d.agency(&id("000.01.45.H57")).unwrap();
    assert_eq!(center.kind(), AgencyKind::PublicServiceCenter);
    assert_eq!(center.parent(), Some(id("000.00.45.H57")));
    assert_eq!(
        d.agency(&id("000.00.00.G09")).unwrap().kind(),
        AgencyKind::Ministry
    );
    assert_eq!(
        d.agency(&id("000.00.02.H57")).unwrap().kind(),
        AgencyKind::PartyCommittee
    );
    assert_eq!(
        d.agency(&id("000.00.05.H57")).unwrap().name(),
        "Department of Finance"
    );
    assert_eq!(
        d.expand_group("communes").unwrap(),
        (1..=5)
            .map(|n| id(&format!("000.00.4{n}.H57")))
            .collect::<Vec<_>>()
    );
    assert!(d.agency(&id("000.00.46.H57")).is_none());
}

#[test]
fn group_expansion_is_deduplicated_in_first_seen_order() {
    let mut d = four();
    let (u1, u2, u3) = (
        id("000.00.01.H57"),
        id("000.00.02.H57"),
        id("000.00.03.H57"),
    );
    d.add_group(AgencyGroup::new("a", vec![u1, u2], vec![]))
        .unwrap();
    d.add_group(AgencyGroup::new("b", vec![u2, u3], vec!["a".into()]))
        .unwrap();
    // A diamond: c reaches a directly and through b.
    d.add_group(AgencyGroup::new(
        "c",
        vec![u3],
        vec!["b".into(), "a".into()],
    ))
    .unwrap();
    assert_eq!(d.expand_group("a").unwrap(), vec![u1, u2]);
    assert_eq!(d.expand_group("b").unwrap(), vec![u2, u3, u1]);
    assert_eq!(d.expand_group("c").unwrap(), vec![u3, u2, u1]);
    assert_eq!(
        d.expand_group("nobody"),
        Err(DirectoryError::NoSuchGroup("nobody".into()))
    );
}

#[test]
fn group_may_only_name_earlier_groups_so_cycles_cannot_form() {
    let mut d = four();
    assert_eq!(
        d.add_group(AgencyGroup::new("a", vec![], vec!["a".into()])),
        Err(DirectoryError::UnknownSubgroup {
            group: "a".into(),
            member: "a".into()
        })
    );
    assert_eq!(
        d.add_group(AgencyGroup::new("a", vec![], vec!["b".into()])),
        Err(DirectoryError::UnknownSubgroup {
            group: "a".into(),
            member: "b".into()
        })
    );
    assert!(d.groups().is_empty());
}

#[test]
fn group_nesting_past_the_limit_is_refused() {
    let limits = DirectoryLimits {
        max_group_depth: 3,
        ..DirectoryLimits::default()
    };
    let mut d = Directory::with_limits(limits);
    d.add_agency(agency("000.00.00.H57", "root")).unwrap();
    d.add_group(AgencyGroup::new("g1", vec![id("000.00.00.H57")], vec![]))
        .unwrap();
    d.add_group(AgencyGroup::new("g2", vec![], vec!["g1".into()]))
        .unwrap();
    d.add_group(AgencyGroup::new("g3", vec![], vec!["g2".into()]))
        .unwrap();
    assert_eq!(
        d.add_group(AgencyGroup::new("g4", vec![], vec!["g3".into()])),
        Err(DirectoryError::GroupTooDeep {
            group: "g4".into(),
            depth: 4,
            limit: 3
        })
    );
    assert_eq!(d.expand_group("g3").unwrap(), vec![id("000.00.00.H57")]);
}

#[test]
fn group_of_an_unknown_agency_is_refused() {
    let mut d = four();
    assert_eq!(
        d.add_group(AgencyGroup::new("x", vec![id("000.00.09.H57")], vec![])),
        Err(DirectoryError::UnknownMember {
            group: "x".into(),
            agency: id("000.00.09.H57")
        })
    );
}

#[test]
fn group_names_cannot_pass_for_agency_codes_or_differ_by_case() {
    let mut d = four();
    for bad in ["000.00.01.H57", "Communes", "", "-x", "a b"] {
        assert!(
            matches!(
                d.add_group(AgencyGroup::new(bad, vec![], vec![])),
                Err(DirectoryError::InvalidName { .. })
            ),
            "{bad:?} accepted"
        );
    }
}

#[test]
fn certificates_sign_only_for_the_agency_they_are_registered_to() {
    let mut d = Directory::sample();
    let a1 = id("000.00.41.H57");
    let a2 = id("000.00.42.H57");
    let seal = Directory::certificate_fingerprint(b"A Luoi 1 seal certificate DER");
    assert!(!d.may_sign_for(&a1, &seal));
    d.add_certificate(&a1, seal).unwrap();
    assert!(d.may_sign_for(&a1, &seal));
    assert!(!d.may_sign_for(&a2, &seal));
    assert!(!d.may_sign_for(&id("000.00.99.H57"), &seal));
    assert!(matches!(
        d.add_certificate(&a1, seal),
        Err(DirectoryError::DuplicateCertificate { agency, .. }) if agency == a1
    ));
    assert_eq!(
        d.add_certificate(&id("000.00.99.H57"), seal),
        Err(DirectoryError::NoSuchAgency(id("000.00.99.H57")))
    );
}

#[test]
fn certificate_count_per_agency_is_bounded() {
    let mut d = Directory::with_limits(DirectoryLimits {
        max_certificates_per_agency: 2,
        ..DirectoryLimits::default()
    });
    let a = id("000.00.00.H57");
    d.add_agency(agency("000.00.00.H57", "root")).unwrap();
    d.add_certificate(&a, [1; 32]).unwrap();
    d.add_certificate(&a, [2; 32]).unwrap();
    assert!(matches!(
        d.add_certificate(&a, [3; 32]),
        Err(DirectoryError::TooMany { limit: 2, .. })
    ));
}

#[test]
fn parents_must_exist_and_come_first() {
    let mut d = Directory::new();
    assert_eq!(
        d.add_agency(agency("000.00.05.H57", "unit").with_parent(id("000.00.00.H57"))),
        Err(DirectoryError::UnknownParent {
            agency: id("000.00.05.H57"),
            name: "unit".into(),
            parent: id("000.00.00.H57")
        })
    );
    assert_eq!(
        d.add_agency(agency("000.00.05.H57", "unit").with_parent(id("000.00.05.H57"))),
        Err(DirectoryError::SelfParent(id("000.00.05.H57")))
    );
}

#[test]
fn names_must_be_present_short_and_printable() {
    let mut d = Directory::new();
    let cases = [
        ("", "it is empty"),
        ("Sở\u{0}Tài chính", "it holds control characters"),
        (&*"x".repeat(257), "it is too long"),
    ];
    for (name, reason) in cases {
        match d.add_agency(AgencyRecord::new(
            id("000.00.00.H57"),
            AgencyKind::Other,
            name,
            "ok",
        )) {
            Err(DirectoryError::InvalidName { reason: r, .. }) => assert_eq!(r, reason),
            other => panic!("{name:?}: {other:?}"),
        }
    }
}

#[test]
fn json_round_trip_keeps_agencies_groups_and_certificates() {
    let mut d = Directory::sample();
    d.add_certificate(
        &id("000.00.45.H57"),
        Directory::certificate_fingerprint(b"seal"),
    )
    .unwrap();
    d.add_certificate(
        &id("000.00.45.H57"),
        Directory::certificate_fingerprint(b"chairman"),
    )
    .unwrap();
    let json = d.to_json();
    let back = Directory::from_json(json.as_bytes()).unwrap();
    assert_eq!(back, d);
    assert_eq!(back.to_json(), json);
    assert!(json.contains(&format!(
        "\"{}\"",
        Directory::certificate_fingerprint(b"seal")
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    )));
}

fn json_with(agencies: &str, groups: &str) -> String {
    format!(r#"{{"version": 1, "agencies": [{agencies}], "groups": [{groups}]}}"#)
}

const ROOT: &str =
    r#"{"id": "000.00.00.H57", "kind": "cityPeoplesCommittee", "name": "Hue", "nameVi": "Huế"}"#;
const UNIT: &str = r#"{"id": "000.00.05.H57", "kind": "department", "name": "Finance", "nameVi": "Sở Tài chính", "parent": "000.00.00.H57"}"#;

#[test]
fn json_with_a_repeated_agency_is_refused() {
    let json = json_with(&format!("{ROOT}, {UNIT}, {UNIT}"), "");
    assert_eq!(
        Directory::from_json(json.as_bytes()),
        Err(DirectoryError::DuplicateAgency {
            id: id("000.00.05.H57"),
            name: "Finance".into()
        })
    );
}

#[test]
fn json_with_a_repeated_group_is_refused() {
    let g = r#"{"name": "all", "agencies": ["000.00.05.H57"]}"#;
    let json = json_with(&format!("{ROOT}, {UNIT}"), &format!("{g}, {g}"));
    assert_eq!(
        Directory::from_json(json.as_bytes()),
        Err(DirectoryError::DuplicateGroup("all".into()))
    );
}

#[test]
fn json_with_a_repeated_certificate_is_refused() {
    let fp = "ab".repeat(32);
    let a = format!(
        r#"{{"id": "000.00.00.H57", "kind": "other", "name": "Hue", "nameVi": "Huế", "certificates": ["{fp}", "{}"]}}"#,
        fp.to_uppercase()
    );
    assert!(matches!(
        Directory::from_json(json_with(&a, "").as_bytes()),
        Err(DirectoryError::DuplicateCertificate { fingerprint, .. }) if fingerprint == fp
    ));
}

#[test]
fn json_with_a_bad_fingerprint_is_refused() {
    let a = r#"{"id": "000.00.00.H57", "kind": "other", "name": "Hue", "nameVi": "Huế", "certificates": ["abcd"]}"#;
    assert_eq!(
        Directory::from_json(json_with(a, "").as_bytes()),
        Err(DirectoryError::InvalidFingerprint {
            agency: id("000.00.00.H57"),
            value: "abcd".into()
        })
    );
}

fn json_error(json: &str) -> String {
    match Directory::from_json(json.as_bytes()) {
        Err(DirectoryError::Json(msg)) => msg,
        other => panic!("expected a JSON error, got {other:?}"),
    }
}

#[test]
fn json_with_unknown_fields_is_refused_at_every_level() {
    assert!(
        json_error(r#"{"version": 1, "agencies": [], "groups": [], "hubs": []}"#)
            .contains("unknown field `hubs`")
    );
    let a =
        r#"{"id": "000.00.00.H57", "kind": "other", "name": "Hue", "nameVi": "Huế", "seal": "x"}"#;
    assert!(json_error(&json_with(a, "")).contains("unknown field `seal`"));
    let g = r#"{"name": "all", "members": []}"#;
    assert!(json_error(&json_with(ROOT, g)).contains("unknown field `members`"));
    assert!(json_error(&json_with(
        r#"{"id": "000.00.00.H57", "kind": "province", "name": "Hue", "nameVi": "Huế"}"#,
        ""
    ))
    .contains("unknown variant `province`"));
}

#[test]
fn json_with_a_repeated_key_is_refused() {
    // A reader that keeps the last key would see a different name than one that keeps the first.
    let a = r#"{"id": "000.00.00.H57", "kind": "other", "name": "Hue", "name": "Evil", "nameVi": "Huế"}"#;
    assert!(json_error(&json_with(a, "")).contains("duplicate field `name`"));
}

#[test]
fn json_of_an_unknown_version_is_refused() {
    assert_eq!(
        Directory::from_json(br#"{"version": 2, "agencies": [], "groups": []}"#),
        Err(DirectoryError::Version(2))
    );
}

#[test]
fn oversize_json_and_too_many_entries_are_refused() {
    let json = json_with(&format!("{ROOT}, {UNIT}"), "");
    let small = DirectoryLimits {
        max_json_bytes: 100,
        ..DirectoryLimits::default()
    };
    assert_eq!(
        Directory::from_json_with_limits(json.as_bytes(), small),
        Err(DirectoryError::TooLarge {
            size: json.len(),
            limit: 100
        })
    );
    let one = DirectoryLimits {
        max_agencies: 1,
        ..DirectoryLimits::default()
    };
    assert_eq!(
        Directory::from_json_with_limits(json.as_bytes(), one),
        Err(DirectoryError::TooMany {
            what: "agencies".into(),
            limit: 1
        })
    );
    let g = r#"{"name": "all", "agencies": ["000.00.00.H57", "000.00.05.H57"]}"#;
    let members = DirectoryLimits {
        max_group_members: 1,
        ..DirectoryLimits::default()
    };
    assert!(matches!(
        Directory::from_json_with_limits(
            json_with(&format!("{ROOT}, {UNIT}"), g).as_bytes(),
            members
        ),
        Err(DirectoryError::TooMany { limit: 1, .. })
    ));
}

#[test]
fn json_parent_listed_after_its_child_is_refused() {
    let json = json_with(&format!("{UNIT}, {ROOT}"), "");
    assert!(matches!(
        Directory::from_json(json.as_bytes()),
        Err(DirectoryError::UnknownParent { parent, .. }) if parent == id("000.00.00.H57")
    ));
}

#[test]
fn malformed_json_never_panics() {
    let json = json_with(
        &format!("{ROOT}, {UNIT}"),
        r#"{"name": "all", "agencies": ["000.00.05.H57"]}"#,
    );
    // Every prefix of a valid file is either refused cleanly or (the whole file) accepted.
    let mut accepted = 0;
    for end in 0..=json.len() {
        if let Some(prefix) = json.as_bytes().get(..end) {
            if Directory::from_json(prefix).is_ok() {
                accepted += 1;
            }
        }
    }
    assert_eq!(accepted, 1);
}
