package dev.lanes.benchmarks.suite;

/**
 * One scenario's verdict.
 *
 * @param scenario number in the benchmarks issue
 * @param title    what is compared
 * @param measured the figure, e.g. "0.97 (17.9 ÷ 18.4 req/s)"
 * @param target   the goal as text, e.g. "≥ 0.95"; "report" where there is none
 * @param met      null where the scenario only reports
 * @param note     what limits it, where it is missed
 */
record Goal(int scenario, String title, String measured, String target, Boolean met, String note) {
    String verdict() {
        return met == null ? "reported" : met ? "met" : "missed";
    }
}
