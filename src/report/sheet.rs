//! The summary as a markdown table (for a paper or a README) and as CSV (for a spreadsheet):
//! the same rows as the text table, rolled up to the same depth.

use std::fmt::Write;

use crate::analysis::Summary;
use crate::model::Block;

use super::numbers::grouped;
use super::rows::printed_rows;

fn markdown_cell(text: &str) -> String {
    text.replace('|', "\\|")
}

pub fn summary_markdown(block: &Block, summary: &Summary, depth: Option<usize>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "**{}** — input {} (H×W×C)\n",
        markdown_cell(&block.name),
        block.input
    );
    let _ = writeln!(out, "| Layer | Kind | Input | Output | Params | MACs |");
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|");
    for row in printed_rows(summary, depth) {
        // Non-breaking spaces keep the nesting visible where markdown trims spaces.
        let indent = "\u{a0}\u{a0}".repeat(row.depth);
        let name = match row.role {
            Some(role) => format!("{} · {role}", row.name),
            None => row.name.clone(),
        };
        let number = |n: Option<u64>| n.map(grouped).unwrap_or_default();
        let _ = writeln!(
            out,
            "| {indent}{} | {} | {} | {} | {} | {} |",
            markdown_cell(&name),
            markdown_cell(&row.kind),
            row.input,
            row.output,
            number(row.params),
            number(row.macs)
        );
    }
    let t = &summary.block.totals;
    let _ = writeln!(
        out,
        "\nParams {} · MACs {} (FLOPs = 2·MACs = {}) · output {}",
        grouped(t.params()),
        grouped(t.macs),
        grouped(t.flops()),
        t.output
    );
    if let Some(c) = summary.comparison() {
        let _ = writeln!(out, "\n| | block | without 1×1 | ratio |");
        let _ = writeln!(out, "|---|---:|---:|---:|");
        for (metric, pair) in c.iter().filter(|(m, _)| m.in_table) {
            let ratio = pair.ratio().map_or("—".into(), |r| format!("{r:.4}"));
            let _ = writeln!(
                out,
                "| {} | {} | {} | {ratio} |",
                metric.name,
                grouped(pair.block),
                grouped(pair.counterpart)
            );
        }
    }
    out
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// One row per printed row; numbers plain (no separators), shapes as C, H and W columns.
pub fn summary_csv(summary: &Summary, depth: Option<usize>) -> String {
    let mut out = String::from(
        "path,depth,name,kind,in_c,in_h,in_w,out_c,out_h,out_w,params,macs,without_1x1\n",
    );
    for row in printed_rows(summary, depth) {
        let number = |n: Option<u64>| n.map(|n| n.to_string()).unwrap_or_default();
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{}",
            csv_field(&row.path),
            row.depth,
            csv_field(&row.name),
            csv_field(&row.kind),
            row.input.c,
            row.input.h,
            row.input.w,
            row.output.c,
            row.output.h,
            row.output.w,
            number(row.params),
            number(row.macs),
            row.role.unwrap_or("")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset;

    #[test]
    fn csv_quotes_what_needs_quoting_and_sums_to_the_totals() {
        let block = preset::builtin("inception3a").unwrap();
        let summary = Summary::of(&block).unwrap();
        let csv = summary_csv(&summary, None);
        assert!(csv.contains("\"concat \"\"inception (3a)\"\"\""), "{csv}");
        let macs: u64 = csv
            .lines()
            .skip(1)
            .filter_map(|line| line.rsplit(',').nth(1)?.parse::<u64>().ok())
            .sum();
        assert_eq!(macs, summary.block.totals.macs);
        assert_eq!(csv_field("a,b"), "\"a,b\"");
    }

    #[test]
    fn markdown_escapes_pipes_and_has_one_row_per_line() {
        let mut block = preset::builtin("nin").unwrap();
        block.name = "a|b".into();
        let summary = Summary::of(&block).unwrap();
        let md = summary_markdown(&block, &summary, Some(1));
        assert!(md.starts_with("**a\\|b**"));
        let table_rows = md.lines().filter(|l| l.starts_with("| ")).count();
        assert!(table_rows >= summary.block.rows.len(), "{md}");
    }
}
