#!/usr/bin/env node
// classroom-reporter.js -- a re-implementation, for the kit's tests, of what
// GitHub Classroom's grading reporter action
// (classroom-resources/autograding-grading-reporter@v1) computes and prints.
// It is NOT the action's bundle (that is fetched by GitHub from the action's
// repository and is neither on npm nor in Debian); it reproduces its rules:
//
//   input     the `runners` input (INPUT_RUNNERS, as @actions/core reads
//             it), comma-separated; each runner's results are the base64
//             JSON in the environment variable <RUNNER upper-cased>_RESULTS
//   log       per runner, each test as a pass mark and its name, a fail mark
//             and its name, or "Error: <message>" for an error; then
//             "Total points for <runner>: S/M" with
//                 S = (tests whose status is "pass" / number of tests) x M
//             (two decimals; every test of a runner weighs the same), printed
//             only when M is not 0; a totals table of the same S and M
//   record    the grade sent to Classroom, as two notices:
//                 Points <sum of every test's "score">/<sum of runners' max_score>
//             over the runners whose max_score is not 0
//   status    the step fails when a runner's status is "fail" or "error"
//
// Usage: INPUT_RUNNERS=a,b A_RESULTS=... B_RESULTS=... node classroom-reporter.js
"use strict";

function readRunners() {
  const input = process.env.INPUT_RUNNERS || "";
  return input.split(",").map((name) => {
    const key = `${name.trim().toUpperCase()}_RESULTS`;
    const encoded = process.env[key];
    if (encoded === undefined) throw new Error(`no ${key} in the environment`);
    return { runner: name.trim(), results: JSON.parse(Buffer.from(encoded, "base64").toString("utf-8")) };
  });
}

// The log's points of one runner: passed tests over all tests, times max_score.
function loggedScore(results) {
  const max = results.max_score || 0;
  const passed = results.tests.filter((t) => t.status === "pass").length;
  return (passed / results.tests.length) * max;
}

function logRunner({ runner, results }) {
  console.log(`Processing: ${runner}`);
  for (const t of results.tests) {
    if (t.status === "pass") console.log(`PASS ${t.name}${t.line_no ? ` - line ${t.line_no}` : ""}`);
    else if (t.status === "error") console.log(`Error: ${t.message || `Failed to run test '${t.name}'`}`);
    else console.log(`FAIL ${t.name}${t.line_no ? ` - line ${t.line_no}` : ""}`);
    if (t.test_code) console.log(`Test code:\n${t.test_code}`);
  }
  const max = results.max_score || 0;
  if (max !== 0) console.log(`Total points for ${runner}: ${loggedScore(results).toFixed(2)}/${max}`);
}

function logTotals(runners) {
  let score = 0;
  let max = 0;
  for (const { runner, results } of runners) {
    const s = loggedScore(results);
    const m = results.max_score || 0;
    console.log(`| ${runner} | ${s} | ${m} |`);
    score += s;
    max += m;
  }
  console.log(`| Total: | ${score} | ${max} |`);
  const passed = runners.reduce((n, r) => n + r.results.tests.filter((t) => t.status === "pass").length, 0);
  const all = runners.reduce((n, r) => n + r.results.tests.length, 0);
  console.log(`Grand total tests passed: ${passed}/${all}`);
}

// The record: what Classroom is told.
function notify(runners) {
  let totalPoints = 0;
  let maxPoints = 0;
  for (const { results } of runners) {
    if (!results.max_score) continue;
    maxPoints += results.max_score;
    for (const t of results.tests) totalPoints += t.score;
  }
  if (!maxPoints) return;
  console.log(`::notice title=Autograding complete::Points ${totalPoints}/${maxPoints}`);
  console.log(`::notice title=Autograding report::${JSON.stringify({ totalPoints, maxPoints })}`);
}

function main() {
  const runners = readRunners();
  runners.forEach(logRunner);
  logTotals(runners);
  notify(runners);
  if (runners.some((r) => r.results.status === "fail")) {
    console.log("::error::Some tests failed.");
    process.exitCode = 1;
  } else if (runners.some((r) => r.results.status === "error")) {
    console.log("::error::Some tests errored.");
    process.exitCode = 1;
  }
}

main();
