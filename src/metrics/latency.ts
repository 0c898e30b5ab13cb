/**
 * The latency histograms of issue #13 (`prom-client`, seconds as Prometheus wants): feed lag
 * (receive time − the venue's timestamp of the frame's newest event), the order round trip (POST
 * sent → answer) and decision to post (the command leaves the trader → its POST is sent: order
 * building and signing, the write-ahead store, retries). Observed where they happen, through the
 * callbacks below; registered into the process's registry by `buildMetrics`. No label.
 */
import { Histogram, type Registry } from 'prom-client';

/** Bucket bounds, seconds: 0.5 ms … 10 s. */
const BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The order latencies a live venue reports (`ClobVenueOptions.onLatency`). */
export type OrderLatencyKind = 'decision_to_post' | 'round_trip';

/** The three histograms, not yet in a registry. */
export class LatencyMetrics {
  readonly feedLag = new Histogram({
    name: 'updown_feed_lag_seconds',
    help: 'Market frame receive time minus the venue timestamp of its newest event',
    buckets: BUCKETS_S,
    registers: [],
  });
  readonly orderRoundTrip = new Histogram({
    name: 'updown_order_round_trip_seconds',
    help: 'Order POST sent to its answer (each attempt)',
    buckets: BUCKETS_S,
    registers: [],
  });
  readonly decisionToPost = new Histogram({
    name: 'updown_decision_to_post_seconds',
    help: 'Order command out of the trader to its POST sent (building, signing, store, retries)',
    buckets: BUCKETS_S,
    registers: [],
  });

  /** Records a frame's lag, ms (a negative lag — clocks apart — counts as 0). */
  readonly observeFeedLag = (ms: number): void => {
    if (Number.isFinite(ms)) this.feedLag.observe(Math.max(0, ms) / 1000);
  };

  /** Records an order latency, ms. */
  readonly observeOrder = (kind: OrderLatencyKind, ms: number): void => {
    if (!Number.isFinite(ms) || ms < 0) return;
    (kind === 'round_trip' ? this.orderRoundTrip : this.decisionToPost).observe(ms / 1000);
  };

  /** Adds the histograms to `register`. */
  registerInto(register: Registry): void {
    register.registerMetric(this.feedLag);
    register.registerMetric(this.orderRoundTrip);
    register.registerMetric(this.decisionToPost);
  }
}
