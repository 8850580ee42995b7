//! `resources/catalogue.json` must describe the sandbox seed's products: same ids,
//! names, codes, list prices and pricelist-82 prices.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

fn load(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../resources")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

#[test]
fn the_catalogue_matches_the_sandbox_seed() {
    let (catalogue, seed) = (load("catalogue.json"), load("sandbox-seed.json"));
    let pricelist_id = catalogue["pricelist"]["id"].as_i64().unwrap();
    let fixed: BTreeMap<i64, f64> = seed["product.pricelist.item"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["pricelist_id"].as_i64() == Some(pricelist_id))
        .map(|i| {
            (
                i["product_id"].as_i64().unwrap(),
                i["fixed_price"].as_f64().unwrap(),
            )
        })
        .collect();
    let seeded = seed["product.product"].as_array().unwrap();
    let listed = catalogue["products"].as_array().unwrap();
    assert_eq!(listed.len(), seeded.len());
    for (p, s) in listed.iter().zip(seeded) {
        assert_eq!(p["product_id"], s["id"]);
        assert_eq!(
            (&p["name"], &p["default_code"], &p["list_price"]),
            (&s["name"], &s["default_code"], &s["list_price"])
        );
        let id = s["id"].as_i64().unwrap();
        assert_eq!(
            p["pricelist_price"].as_f64(),
            fixed.get(&id).copied(),
            "product {id}"
        );
    }
}
