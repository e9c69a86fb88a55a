//! The routing table: longest match from the right, the default route, and the JSON form.

use edoc::{HubId, OrgId, RouteError, RoutePattern, RoutingTable};

fn id(s: &str) -> OrgId {
    s.parse().unwrap()
}

fn hub(s: &str) -> HubId {
    s.parse().unwrap()
}

fn pat(s: &str) -> RoutePattern {
    s.parse().unwrap()
}

#[test]
fn sample_table_sends_h57_to_the_city_hub_and_the_rest_to_the_national_hub() {
    let t = RoutingTable::sample();
    for local in [
        "000.00.00.H57",
        "000.00.45.H57",
        "000.01.45.H57",
        "123.01.45.H57",
    ] {
        assert_eq!(t.hub_for(&id(local)), &hub("hub.h57"), "{local}");
    }
    for far in [
        "000.00.00.G09",
        "000.00.00.H56",
        "000.00.05.H58",
        "000.00.57.G57",
    ] {
        assert_eq!(t.hub_for(&id(far)), &hub("hub.national"), "{far}");
        assert_eq!(t.rule_for(&id(far)), None);
    }
}

fn layered(order: &[usize]) -> RoutingTable {
    let rules = [
        ("*.H57", "hub.a"),
        ("*.05.H57", "hub.b"),
        ("*.03.05.H57", "hub.c"),
        ("000.03.05.H57", "hub.d"),
        ("*.06.H57", "hub.e"),
    ];
    let mut t = RoutingTable::new(hub("hub.default"));
    for &i in order {
        let (p, h) = rules[i];
        t.add_rule(pat(p), hub(h)).unwrap();
    }
    t
}

#[test]
fn longest_match_from_the_right_wins_whatever_the_rule_order() {
    let expected = [
        ("000.03.05.H57", "hub.d"),
        ("001.03.05.H57", "hub.c"),
        ("000.04.05.H57", "hub.b"),
        ("000.00.05.H57", "hub.b"),
        ("000.05.06.H57", "hub.e"),
        // CC = 05 is not BB = 05: parts are matched by position.
        ("000.05.07.H57", "hub.a"),
        ("000.00.00.H57", "hub.a"),
        ("000.03.05.H56", "hub.default"),
        ("000.00.05.G57", "hub.default"),
    ];
    for order in [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [2, 0, 4, 3, 1]] {
        let t = layered(&order);
        for (code, h) in expected {
            assert_eq!(t.hub_for(&id(code)), &hub(h), "{code} with order {order:?}");
        }
    }
}

#[test]
fn rule_for_names_the_winning_pattern() {
    let t = layered(&[0, 1, 2, 3, 4]);
    let (p, h) = t.rule_for(&id("001.03.05.H57")).unwrap();
    assert_eq!(p.to_string(), "*.03.05.H57");
    assert_eq!(p.specificity(), 3);
    assert_eq!(h, &hub("hub.c"));
}

#[test]
fn spelled_out_wildcards_are_the_same_pattern_and_cannot_be_added_twice() {
    let mut t = RoutingTable::new(hub("hub.national"));
    t.add_rule(pat("*.05.H57"), hub("hub.a")).unwrap();
    assert_eq!(pat("*.*.05.H57"), pat("*.05.H57"));
    assert_eq!(pat("*.*.*.H57").to_string(), "*.H57");
    assert_eq!(
        t.add_rule(pat("*.*.05.H57"), hub("hub.b")),
        Err(RouteError::DuplicatePattern("*.05.H57".into()))
    );
    assert_eq!(t.hub_for(&id("000.00.05.H57")), &hub("hub.a"));
}

#[test]
fn malformed_patterns_are_refused_with_a_reason() {
    for bad in [
        "",
        "*",
        "*.*",
        "H57",
        "05.H57",
        "*.05.*.H57",
        "*.*.*.*.H57",
        "0000.00.05.H57",
        "*.5.H57",
        "*.h57",
        "*.H5",
        "**.H57",
        "*.H57.",
        "000.00.05.H57.*",
    ] {
        assert!(
            matches!(
                bad.parse::<RoutePattern>(),
                Err(RouteError::InvalidPattern { .. })
            ),
            "{bad:?} accepted"
        );
    }
    assert_eq!(pat("000.00.05.H57").specificity(), 4);
    assert!(pat("000.00.05.H57").matches(&id("000.00.05.H57")));
    assert!(!pat("000.00.05.H57").matches(&id("000.01.05.H57")));
}

#[test]
fn hub_ids_are_lowercase_dotted_names() {
    for good in ["hub.h57", "hub.national", "lgsp-hue", "a"] {
        assert_eq!(hub(good).as_str(), good);
    }
    for bad in [
        "",
        "Hub.h57",
        "hub..h57",
        ".hub",
        "hub.",
        "1hub",
        "hub h57",
        &"a".repeat(65),
    ] {
        assert!(
            matches!(bad.parse::<HubId>(), Err(RouteError::InvalidHubId(_))),
            "{bad:?} accepted"
        );
    }
}

#[test]
fn json_round_trip_and_strictness() {
    let t = layered(&[0, 1, 2, 3, 4]);
    let back = RoutingTable::from_json(t.to_json().as_bytes()).unwrap();
    assert_eq!(back, t);
    let dup = r#"{"default": "hub.national", "rules": [
        {"pattern": "*.H57", "hub": "hub.a"}, {"pattern": "*.*.*.H57", "hub": "hub.b"}]}"#;
    assert_eq!(
        RoutingTable::from_json(dup.as_bytes()),
        Err(RouteError::DuplicatePattern("*.H57".into()))
    );
    let unknown = r#"{"default": "hub.national", "rules": [], "fallback": "hub.x"}"#;
    assert!(matches!(
        RoutingTable::from_json(unknown.as_bytes()),
        Err(RouteError::Json(m)) if m.contains("unknown field `fallback`")
    ));
    let bad_hub = r#"{"default": "Hub.National", "rules": []}"#;
    assert!(matches!(
        RoutingTable::from_json(bad_hub.as_bytes()),
        Err(RouteError::Json(m)) if m.contains("not a valid hub name")
    ));
}
