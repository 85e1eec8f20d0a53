using Microsoft.Extensions.Logging.Abstractions;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace VoiceMesh.ServiceDefaults.Tests;

/// <summary>
/// Per-message-type consume metrics come from MassTransit's own instrumentation (meter <c>MassTransit</c>, which
/// ServiceDefaults exports): <c>messaging.masstransit.consume.duration</c> (the consumer's time) and
/// <c>messaging.masstransit.delivery.duration</c> (sent to consumed, the consumer lag), both histograms in ms tagged
/// <c>messaging.masstransit.message_type</c>. Checked on endpoints configured as <c>AddMessaging</c> configures them.
/// </summary>
public sealed class ConsumeMetricsSpecs
{
    private const string ConsumeDuration = "messaging.masstransit.consume.duration";
    private const string DeliveryDuration = "messaging.masstransit.delivery.duration";
    private const string MessageType = "messaging.masstransit.message_type";
    private const int SlowMilliseconds = 150;

    public sealed record SlowWork(string CallSid);

    public sealed record QuickWork(string CallSid);

    public sealed class SlowWorkConsumer : IConsumer<SlowWork>
    {
        public Task Consume(ConsumeContext<SlowWork> context) => Task.Delay(SlowMilliseconds, context.CancellationToken);
    }

    public sealed class QuickWorkConsumer : IConsumer<QuickWork>
    {
        public Task Consume(ConsumeContext<QuickWork> context) => Task.CompletedTask;
    }

    [Fact]
    public async Task Each_message_types_consume_and_delivery_durations_are_recorded_under_its_type()
    {
        // The listener hears every bus in the process (other classes' run in parallel): only these types count.
        using var recorder = new HistogramRecorder(
            "MassTransit", [ConsumeDuration, DeliveryDuration], tags => tags.GetValueOrDefault(MessageType) is nameof(SlowWork) or nameof(QuickWork));
        await using var provider = new ServiceCollection()
            .AddMassTransitTestHarness(x =>
            {
                x.SetKebabCaseEndpointNameFormatter();
                x.AddConsumer<SlowWorkConsumer>();
                x.AddConsumer<QuickWorkConsumer>();
                x.AddConfigureEndpointsCallback((context, _, endpoint) =>
                {
                    endpoint.UseRetryPolicy(new FailureClassification([new WorkInProgressClassifier()]), new MessagingOptions(), NullLoggerFactory.Instance);
                    endpoint.UseConsumeFilter(typeof(TwilioSidTagFilter<>), context);
                });
            })
            .BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();

        await harness.Bus.Publish(new SlowWork("CA1"), TestContext.Current.CancellationToken);
        await harness.Bus.Publish(new SlowWork("CA2"), TestContext.Current.CancellationToken);
        await harness.Bus.Publish(new QuickWork("CA3"), TestContext.Current.CancellationToken);

        var consumed = await recorder.WaitFor(ConsumeDuration, m => m.Count(r => r.Tags[MessageType] is nameof(SlowWork)) == 2
            && m.Any(r => r.Tags[MessageType] is nameof(QuickWork)));
        Assert.Equal("ms", recorder.Unit(ConsumeDuration));
        Assert.All(consumed.Where(r => r.Tags[MessageType] is nameof(SlowWork)), r => Assert.InRange(r.Value, SlowMilliseconds - 10, 10_000));
        Assert.Single(consumed, r => r.Tags[MessageType] is nameof(QuickWork));
        Assert.All(consumed, r => Assert.Contains(r.Tags["messaging.masstransit.consumer_type"] as string, new[] { nameof(SlowWorkConsumer), nameof(QuickWorkConsumer) }));

        var delivered = await recorder.WaitFor(DeliveryDuration, m => m.Count == 3);
        Assert.Equal("ms", recorder.Unit(DeliveryDuration));
        Assert.Equal(2, delivered.Count(r => r.Tags[MessageType] is nameof(SlowWork)));
        Assert.Single(delivered, r => r.Tags[MessageType] is nameof(QuickWork));
        Assert.All(delivered, r => Assert.InRange(r.Value, 0, 10_000));
    }

    /// <summary>One histogram measurement: its value and tags.</summary>
    public sealed record Recorded(double Value, IReadOnlyDictionary<string, object?> Tags);

    /// <summary>
    /// Records the named histograms of a meter, whatever scope the meter was created with (MassTransit creates its meter
    /// once per process, from the first bus's meter factory or without one), keeping the measurements whose tags are wanted.
    /// </summary>
    private sealed class HistogramRecorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<string, ConcurrentQueue<Recorded>> _recorded = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, string?> _units = new(StringComparer.Ordinal);

        public HistogramRecorder(string meterName, string[] instruments, Func<IReadOnlyDictionary<string, object?>, bool> wanted)
        {
            // Every instrument of the meter, as an exporter enables them: MassTransit records a consume's durations only
            // while its consume counter is listened to.
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == meterName)
                {
                    _units[instrument.Name] = instrument.Unit;
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
            {
                if (!instruments.Contains(instrument.Name))
                {
                    return;
                }

                var tagged = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var tag in tags)
                {
                    tagged[tag.Key] = tag.Value;
                }

                if (wanted(tagged))
                {
                    _recorded.GetOrAdd(instrument.Name, _ => new()).Enqueue(new Recorded(value, tagged));
                }
            });
            _listener.Start();
        }

        public string? Unit(string instrument) => _units.GetValueOrDefault(instrument);

        public async Task<IReadOnlyList<Recorded>> WaitFor(string instrument, Func<IReadOnlyList<Recorded>, bool> done)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (true)
            {
                var recorded = _recorded.GetOrAdd(instrument, _ => new()).ToList();
                if (done(recorded))
                {
                    return recorded;
                }

                Assert.True(DateTime.UtcNow < deadline, $"{instrument} recorded only {recorded.Count} measurements.");
                await Task.Delay(20, TestContext.Current.CancellationToken);
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
