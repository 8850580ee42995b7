//! Read tools on the read-only instance: lists and gets, search and fetch, products.

use serde_json::{Value, json};

use super::Tools;
use crate::support::assert_contains;

fn names(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn projects_users_and_tasks_are_listed_and_read() {
    let t = Tools::start().await;
    let active = t.ok("list_projects", json!({})).await;
    assert_eq!(
        names(&active),
        [
            "Implementación Grupo Logístico del Norte",
            "Soporte postventa"
        ]
    );
    assert_eq!(active["has_more"], false);
    let archived = t.ok("list_projects", json!({"active": false})).await;
    assert_eq!(names(&archived), ["Piloto Hotel Fiesta Azul 2025"]);
    assert_eq!(
        names(&t.ok("list_projects", json!({"q": "soporte"})).await),
        ["Soporte postventa"]
    );

    let users = t.ok("list_users", json!({"limit": 2})).await;
    assert_eq!(users["items"].as_array().unwrap().len(), 2);
    assert_eq!(users["has_more"], true);
    let all = t.ok("list_users", json!({"limit": 5000})).await;
    assert!(all["items"].as_array().unwrap().len() <= 100);
    let valeria = t.ok("list_users", json!({"q": "Valeria"})).await;
    assert_eq!(
        valeria["items"][0],
        json!({"id": 9, "name": "Valeria Gómez", "login": "valeria", "active": true})
    );

    let tasks = t.ok("list_tasks", json!({"project_id": 1})).await;
    assert_eq!(tasks["items"].as_array().unwrap().len(), 3);
    let install = tasks["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == 2)
        .unwrap();
    assert_eq!(
        install["assignees"],
        json!([{"id": 11, "name": "Lucía Morales"}, {"id": 7, "name": "Sofía Ramírez"}])
    );
    assert_eq!(install["project_id"]["id"], 1);
    assert!(
        install.get("description").is_none(),
        "lists carry no descriptions"
    );
    let by_name = t
        .ok("list_tasks", json!({"assigned_to_name": "diego"}))
        .await;
    assert_eq!(names(&by_name), ["Revisión de batería KettyBot"]);
    let by_id = t
        .ok("list_tasks", json!({"assigned_to": 10, "q": "batería"}))
        .await;
    assert_eq!(by_id["items"][0]["id"], 4);
    assert_contains(
        &t.err("list_tasks", json!({"assigned_to_name": "Nadie Así"}))
            .await,
        "not found: assigned_to_name",
    );

    let task = t.ok("get_task", json!({"task_id": 1})).await;
    assert_eq!(
        task["description"],
        "Recorrido con el equipo de operaciones."
    );
    assert_eq!(task["description_truncated"], false);
    assert_eq!(task["stage_id"]["id"], 3);
    let archived_task = t
        .ok(
            "get_task",
            json!({"task_id": 6, "include_description": false}),
        )
        .await;
    assert_eq!(
        (
            archived_task["active"].clone(),
            archived_task.get("description")
        ),
        (json!(false), None)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sales_are_listed_and_read_with_lines() {
    let t = Tools::start().await;
    let confirmed = t.ok("list_sales", json!({"state": "sale"})).await;
    assert_eq!(names(&confirmed), ["S00003"]);
    let hotel = t.ok("list_sales", json!({"partner_id": 15})).await;
    assert_eq!(
        hotel["items"][0]["partner_id"],
        json!({"id": 15, "name": "Hotel Fiesta Azul, Ana López"})
    );
    assert_eq!(
        names(&t.ok("list_sales", json!({"state": "done"})).await),
        Vec::<String>::new()
    );
    assert_contains(
        &t.err("list_sales", json!({"state": "shipped"})).await,
        "invalid arguments for list_sales",
    );

    let sale = t
        .ok("get_sale", json!({"sale_id": 1, "include_lines": true}))
        .await;
    assert_eq!(sale["name"], "S00001");
    assert_eq!(sale["amount_untaxed"], 635000.0);
    assert_eq!(
        sale["note"],
        "Cotización desde oportunidad: Servibot - Hotel Fiesta Azul"
    );
    assert_eq!(sale["opportunity_id"]["id"], 1);
    let lines = sale["order_lines"].as_array().unwrap();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["product_id"]["id"], 26157);
    assert_eq!(lines[0]["uom"]["name"], "Units");
    assert_eq!(lines[0]["tax_ids"], json!([1]));
    assert_eq!(lines[0]["price_subtotal"], 590000.0);
    let short = t.ok("get_sale", json!({"sale_id": 1})).await;
    assert!(short.get("order_lines").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_and_fetch_answer_once_with_ids_fetch_understands() {
    let t = Tools::start().await;
    let projects = t.ok("search", json!({"query": "proyectos soporte"})).await;
    let hits = projects["results"].as_array().unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(
        hits[0],
        json!({"id": "project:2", "title": "Project · Soporte postventa", "url": "odoo://project.project/2"})
    );
    let tasks = t.ok("search", json!({"query": "tareas mapa"})).await;
    assert_eq!(tasks["results"][0]["id"], "task:1");
    let both = t.ok("search", json!({"query": "KettyBot"})).await;
    assert!(
        both["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["id"].as_str().unwrap().starts_with("task:"))
    );

    let task = t.ok("fetch", json!({"doc_id": "task:2"})).await;
    assert_eq!(
        task["title"],
        "Task · Instalación y configuración del Pudu T300"
    );
    assert_eq!(task["metadata"]["model"], "project.task");
    assert_eq!(task["metadata"]["assignees"].as_array().unwrap().len(), 2);
    assert_eq!(
        task["text"], "Instalación y configuración del Pudu T300",
        "no description: the name"
    );
    let mapped = t.ok("fetch", json!({"doc_id": "task:1"})).await;
    assert_eq!(mapped["text"], "Recorrido con el equipo de operaciones.");
    let pilot = t.ok("fetch", json!({"doc_id": "project:3"})).await;
    assert_eq!(
        pilot["metadata"],
        json!({"model": "project.project", "active": false, "text_truncated": false})
    );

    assert_contains(
        &t.err("fetch", json!({"doc_id": "lead:1"})).await,
        "invalid input: doc_id: unknown kind 'lead'",
    );
    assert_contains(
        &t.err("fetch", json!({"doc_id": "task:999"})).await,
        "not found: Task 999 not found",
    );
    assert_contains(
        &t.err("fetch", json!({"doc_id": "7"})).await,
        "invalid id format",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn find_products_gives_ids_and_the_price_a_quotation_uses() {
    let t = Tools::start().await;
    let found = t.ok("find_products", json!({"query": "kettybot"})).await;
    let items = found["items"].as_array().unwrap();
    let by_id = |id: i64| {
        items
            .iter()
            .find(|p| p["id"] == id)
            .unwrap_or_else(|| panic!("{id} in {items:?}"))
    };
    let ketty = by_id(26153);
    assert_eq!(
        (
            ketty["list_price"].clone(),
            ketty["pricelist_price"].clone(),
            ketty["price"].clone()
        ),
        (json!(199000.0), json!(185000.0), json!(185000.0))
    );
    let battery = by_id(26171);
    assert_eq!(
        (battery["pricelist_price"].clone(), battery["price"].clone()),
        (Value::Null, json!(12500.0))
    );
    assert!(
        by_id(26154)["description"]
            .as_str()
            .unwrap()
            .contains("KettyBot")
    );

    let by_code = t.ok("find_products", json!({"query": "PUDU-CC1"})).await;
    assert_eq!(names(&by_code), ["CC1", "CC1 Pro"]);
    let catalogue = t.ok("find_products", json!({"limit": 5})).await;
    assert_eq!(
        (
            catalogue["items"].as_array().unwrap().len(),
            catalogue["has_more"].clone()
        ),
        (5, json!(true))
    );
}
