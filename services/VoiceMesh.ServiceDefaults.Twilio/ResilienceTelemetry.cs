using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Telemetry;
using Polly.Timeout;

namespace VoiceMesh.ServiceDefaults;

/// <summary>
/// What the resilience pipelines do, where an SRE looks for it: each retry, timeout and circuit-breaker turn is an
/// event on the span that made the call (a consume, an outbox forward), so a call's trace shows why a Twilio request
/// took 7 s; and each pipeline's breaker state is the gauge <c>voicemesh.resilience.circuit.state</c>
/// (0 closed, 1 open, 2 half-open, 3 isolated; attribute <c>pipeline.name</c>, as Polly names it), per instance,
/// since every instance has its own breaker. Polly reports a breaker half-open when the first call after the break
/// arrives, so an idle open breaker reads 1 until then.
/// </summary>
public sealed class ResilienceTelemetry : TelemetryListener
{
    private readonly ConcurrentDictionary<string, CircuitState> _circuits = new(StringComparer.Ordinal);

    public ResilienceTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(VoiceMeshTelemetry.Name);
        meter.CreateObservableGauge(
            "voicemesh.resilience.circuit.state", Measure, "{state}",
            "Circuit breaker state of each resilience pipeline in this instance: 0 closed, 1 open, 2 half-open, 3 isolated.");
    }

    public override void Write<TResult, TArgs>(in TelemetryEventArguments<TResult, TArgs> args)
    {
        var pipeline = args.Source.PipelineName ?? "";
        switch (args.Arguments)
        {
            case OnRetryArguments<TResult> retry:
                Event("resilience.retry", pipeline, args.Outcome, ("resilience.attempt", retry.AttemptNumber), ("resilience.retry.delay_ms", retry.RetryDelay.TotalMilliseconds));
                break;
            case OnTimeoutArguments timeout:
                Event("resilience.timeout", pipeline, args.Outcome, ("resilience.timeout_ms", timeout.Timeout.TotalMilliseconds));
                break;
            case OnCircuitOpenedArguments<TResult> opened:
                _circuits[pipeline] = opened.IsManual ? CircuitState.Isolated : CircuitState.Open;
                Event("resilience.circuit.opened", pipeline, args.Outcome, ("resilience.break_ms", opened.BreakDuration.TotalMilliseconds));
                break;
            case OnCircuitHalfOpenedArguments:
                _circuits[pipeline] = CircuitState.HalfOpen;
                Event("resilience.circuit.half_opened", pipeline, args.Outcome);
                break;
            case OnCircuitClosedArguments<TResult>:
                _circuits[pipeline] = CircuitState.Closed;
                Event("resilience.circuit.closed", pipeline, args.Outcome);
                break;
            default:
                // Every pipeline this instance runs is reported from its first execution on, closed until a turn.
                _circuits.TryAdd(pipeline, CircuitState.Closed);
                break;
        }
    }

    private static void Event<TResult>(string name, string pipeline, Outcome<TResult>? outcome, params (string Key, object Value)[] attributes)
    {
        if (Activity.Current is not { } activity)
        {
            return;
        }

        var tags = new ActivityTagsCollection { ["pipeline.name"] = pipeline };
        foreach (var (key, value) in attributes)
        {
            tags[key] = value;
        }

        if (ErrorType(outcome) is { } error)
        {
            tags["error.type"] = error;
        }

        activity.AddEvent(new ActivityEvent(name, tags: tags));
    }

    /// <summary>The failure an outcome stands for: its HTTP status code, or its exception's type.</summary>
    private static string? ErrorType<TResult>(Outcome<TResult>? outcome) => outcome switch
    {
        { Exception: { } exception } => exception.GetType().FullName,
        { Result: HttpResponseMessage { IsSuccessStatusCode: false } response } => ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => null,
    };

    private IEnumerable<Measurement<int>> Measure() => _circuits.Select(circuit => new Measurement<int>(
        (int)circuit.Value, new KeyValuePair<string, object?>("pipeline.name", circuit.Key)));
}

/// <summary>Adds <see cref="ResilienceTelemetry"/> to the telemetry of every resilience pipeline built from DI.</summary>
internal sealed class ResilienceTelemetrySetup(ResilienceTelemetry listener) : IConfigureOptions<TelemetryOptions>
{
    public void Configure(TelemetryOptions options) => options.TelemetryListeners.Add(listener);
}
