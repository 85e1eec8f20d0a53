using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;

namespace VoiceMesh.ServiceDefaults.Tests;

/// <summary>
/// The Twilio client's resilience pipeline, as the services build it, over a scripted Twilio: its retries and breaker
/// turns are events on the calling span, and the breaker's state is a gauge.
/// </summary>
public sealed class ResilienceTelemetrySpecs : IDisposable
{
    private const string Pipeline = TwilioClientExtensions.HttpClientName + "-standard";
    private readonly ActivitySource _source = new($"resilience-specs-{Guid.NewGuid():N}");
    private readonly ActivityListener _listener;
    private readonly FakeTimeProvider _time = new();
    private readonly ScriptedTwilio _twilio = new();
    private readonly ServiceProvider _services;

    public ResilienceTelemetrySpecs()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s == _source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(_listener);

        var services = TwilioTestServices.On(_time);
        services.AddTwilioClient(client => client.ConfigurePrimaryHttpMessageHandler(() => _twilio));
        _services = services.BuildServiceProvider();
    }

    public void Dispose()
    {
        _services.Dispose();
        _listener.Dispose();
        _source.Dispose();
    }

    [Fact]
    public async Task Retries_and_breaker_turns_are_events_on_the_calling_span_and_the_breaker_state_is_a_gauge()
    {
        var client = _services.GetRequiredService<IHttpClientFactory>().CreateClient(TwilioClientExtensions.HttpClientName);
        using var state = new GaugeReader(_services.GetRequiredService<IMeterFactory>(), "voicemesh.resilience.circuit.state");

        _twilio.Answer(HttpStatusCode.ServiceUnavailable, HttpStatusCode.BadGateway, HttpStatusCode.OK);
        using (var consume = _source.StartActivity("consume")!)
        {
            using var answer = await Send(client);

            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Equal(
                [("resilience.retry", 0, "503"), ("resilience.retry", 1, "502")],
                consume.Events.Select(e => (e.Name, (int)e.Tags.First(t => t.Key == "resilience.attempt").Value!, (string)e.Tags.First(t => t.Key == "error.type").Value!)));
            Assert.All(consume.Events, e => Assert.Contains(new KeyValuePair<string, object?>("pipeline.name", Pipeline), e.Tags));
        }

        Assert.Equal(0, state.Read(Pipeline));

        // Two failures of three so far; the next one reaches the breaker's minimum of four at a ratio over one half.
        _twilio.Answer(HttpStatusCode.InternalServerError);
        using (var consume = _source.StartActivity("consume")!)
        {
            await Assert.ThrowsAsync<BrokenCircuitException>(() => Send(client));

            Assert.Equal(["resilience.circuit.opened", "resilience.retry"], consume.Events.Select(e => e.Name));
            Assert.Contains(new KeyValuePair<string, object?>("error.type", "500"), consume.Events.First().Tags);
        }

        Assert.Equal(1, state.Read(Pipeline));

        _time.Advance(TwilioRestPolicy.BreakDuration);
        _twilio.Answer(HttpStatusCode.OK);
        using (var consume = _source.StartActivity("consume")!)
        {
            using var answer = await Send(client);

            Assert.Equal(["resilience.circuit.half_opened", "resilience.circuit.closed"], consume.Events.Select(e => e.Name));
        }

        Assert.Equal(0, state.Read(Pipeline));
    }

    /// <summary>Sends a GET, moving the fake clock on while the pipeline waits between attempts.</summary>
    private async Task<HttpResponseMessage> Send(HttpClient client)
    {
        var send = client.GetAsync(new Uri("https://api.twilio.com/2010-04-01/Accounts/AC00000000000000000000000000000001/Calls.json"), TestContext.Current.CancellationToken);
        while (!send.IsCompleted)
        {
            await Task.Delay(5, TestContext.Current.CancellationToken);
            _time.Advance(TimeSpan.FromMilliseconds(500));
        }

        return await send;
    }

    /// <summary>Twilio answering each request with the next scripted status, then repeating the last one.</summary>
    private sealed class ScriptedTwilio : HttpMessageHandler
    {
        private readonly ConcurrentQueue<HttpStatusCode> _answers = new();
        private HttpStatusCode _last = HttpStatusCode.OK;

        public void Answer(params HttpStatusCode[] statuses)
        {
            _answers.Clear();
            foreach (var status in statuses)
            {
                _answers.Enqueue(status);
            }
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (_answers.TryDequeue(out var status))
            {
                _last = status;
            }

            return Task.FromResult(new HttpResponseMessage(_last) { RequestMessage = request, Content = new StringContent("{}") });
        }
    }

    /// <summary>Reads an observable gauge of one meter factory's meters.</summary>
    private sealed class GaugeReader : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<string, int> _values = new(StringComparer.Ordinal);

        public GaugeReader(IMeterFactory factory, string instrument)
        {
            _listener.InstrumentPublished = (i, l) =>
            {
                if (i.Meter.Scope == factory && i.Name == instrument)
                {
                    l.EnableMeasurementEvents(i);
                }
            };
            _listener.SetMeasurementEventCallback<int>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "pipeline.name")
                    {
                        _values[(string)tag.Value!] = value;
                    }
                }
            });
            _listener.Start();
        }

        public int? Read(string pipeline)
        {
            _values.Clear();
            _listener.RecordObservableInstruments();
            return _values.TryGetValue(pipeline, out var value) ? value : null;
        }

        public void Dispose() => _listener.Dispose();
    }
}
