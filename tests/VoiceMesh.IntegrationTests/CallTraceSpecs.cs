using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using VoiceMesh.Testing;

namespace VoiceMesh.IntegrationTests;

/// <summary>
/// One trace per call, as SREs follow it in Jaeger: the sender's PlaceCall, the Twilio create, and every status
/// callback Twilio sends for the call (which carries no <c>traceparent</c> header; the trace context travels in the
/// signed status callback URL) with their publishes, consumes and database statements. Every process exports its
/// spans over OTLP to the in-test <see cref="OtlpReceiver"/>.
/// </summary>
public sealed class CallTraceSpecs(CallTraceSpecs.TracedMesh fixture) : IClassFixture<CallTraceSpecs.TracedMesh>
{
    private const string CallSidTag = "twilio.call_sid";
    private const string MessageTypeTag = "voicemesh.message.type";

    [Fact]
    public async Task A_placed_call_its_twilio_create_and_every_status_callback_share_the_sender_s_trace()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var source = new ActivitySource("VoiceMesh.IntegrationTests.CallTrace");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s == source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);

        string requestId;
        ActivityContext sender;
        using (var placing = source.StartActivity("send PlaceCall", ActivityKind.Producer)!)
        {
            sender = placing.Context;
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/calls")
            {
                Content = JsonContent.Create(new { to = "+14155550177", twiml = "<Response><Say>Traced</Say></Response>" }),
            };
            request.Headers.Add("traceparent", placing.Id);
            using var response = await fixture.Mesh.Client.SendAsync(request, cancellationToken);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            requestId = (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("requestId").GetString()!;
        }

        var callSid = (await fixture.Mesh.WaitForPlacement(requestId, p => p.GetProperty("status").GetString() == "placed", TimeSpan.FromSeconds(60)))
            .GetProperty("callSid").GetString()!;
        await fixture.Mesh.WaitForCall(
            callSid, c => c.GetProperty("status").GetString() == "completed" && c.GetProperty("history").GetArrayLength() == 4, TimeSpan.FromSeconds(60));
        var callbacks = fixture.Mesh.Simulator.Control.Webhooks.Where(w => w.Kind == "status-callback" && w.CallSid == callSid).ToList();
        var traceId = sender.TraceId.ToHexString();

        var spans = await fixture.Receiver.WaitFor(
            all => StatusConsumes(all, traceId, callSid).ToList() is var consumed && consumed.Count == callbacks.Count
                && all.Where(s => s.TraceId == traceId).All(c => c.Links.All(link => all.Any(s => s.SpanId == link.SpanId))),
            TimeSpan.FromSeconds(60),
            cancellationToken);
        var trace = spans.Where(s => s.TraceId == traceId).ToDictionary(s => s.SpanId);

        // The sender's request reaches the gateway, Calls' API publishes the PlaceCall and Calls consumes it.
        var apiRequest = Assert.Single(trace.Values, s => s is { Service: "VoiceMesh.Gateway", Kind: OtlpSpanKind.Server } && s.Attribute("url.path") == "/api/calls");
        Assert.Equal(sender.SpanId.ToHexString(), apiRequest.ParentSpanId);
        var placeCall = Assert.Single(trace.Values, s => s is { Service: "VoiceMesh.Calls", Kind: OtlpSpanKind.Consumer } && s.Attribute(MessageTypeTag) == "PlaceCall");
        Assert.Contains(apiRequest, Ancestors(placeCall, trace));

        // The Twilio REST create is an HTTP client span of Calls under that consume.
        var create = Assert.Single(trace.Values, s => s is { Service: "VoiceMesh.Calls", Kind: OtlpSpanKind.Client }
            && s.Attribute("url.full") is { } url && url.EndsWith($"/Accounts/{Mesh.AccountSid}/Calls.json", StringComparison.Ordinal));
        Assert.Contains(placeCall, Ancestors(create, trace));

        // Every status callback Twilio sent for the call: a server span at the gateway whose parent is the span the create
        // ran under (the context Calls put in the signed status callback URL), tagged with the call's sid; its publish;
        // and its consume in Calls, tagged too, with the Marten append that stored it: under the consume, or, when the
        // callback was stored together with others (group commit), under the group's transaction span the consume links to.
        Assert.Equal(["initiated", "ringing", "in-progress", "completed"], callbacks.OrderBy(c => c.Order).Select(c => c.Parameters["CallStatus"]).Distinct());
        var webhooks = trace.Values.Where(s => s is { Service: "VoiceMesh.Gateway", Kind: OtlpSpanKind.Server } && s.Attribute("url.path") == "/twilio/voice/status").ToList();
        Assert.Equal(callbacks.Count, webhooks.Count);
        Assert.All(webhooks, webhook =>
        {
            Assert.Equal(callSid, webhook.Attribute(CallSidTag));
            Assert.Equal(create.ParentSpanId, webhook.ParentSpanId);
            Assert.Contains(placeCall, Ancestors(webhook, trace));
            Assert.Single(trace.Values, s => s.Kind == OtlpSpanKind.Producer && s.ParentSpanId == webhook.SpanId);
        });

        var consumes = StatusConsumes(spans, traceId, callSid).ToList();
        Assert.Equal(webhooks.Select(w => w.SpanId).Order(), consumes.Select(c => Ancestors(c, trace).Single(webhooks.Contains).SpanId).Order());
        Assert.All(consumes, consume =>
        {
            var publish = Ancestors(consume, trace).First(s => s.Kind == OtlpSpanKind.Producer);
            Assert.Equal("VoiceMesh.Gateway", publish.Service);
            var storedBy = spans.Where(s => s.SpanId == consume.SpanId || s.ParentSpanId == consume.SpanId).SelectMany(s => s.Links).Select(link => spans.SingleOrDefault(s => s.TraceId == link.TraceId && s.SpanId == link.SpanId))
                .OfType<OtlpSpan>().Where(s => s.Name == "store Call commands").ToList();
            Assert.True(storedBy.Count <= 1, "a callback is stored by one transaction");
            var storedUnder = storedBy.Count == 1 ? storedBy[0] : consume;
            var storedIn = spans.Where(s => s.TraceId == storedUnder.TraceId).ToDictionary(s => s.SpanId);
            Assert.Contains(storedIn.Values, s => s.Service == "VoiceMesh.Calls" && s.Attribute("db.system") == "postgresql"
                && Ancestors(s, storedIn).Contains(storedUnder) && (s.Attribute("db.statement") ?? "").Contains(".mt_quick_append_events(", StringComparison.Ordinal));
        });
        Assert.All(
            trace.Values.Where(s => s.Service == "VoiceMesh.Calls" && s.Attribute("db.system") == "postgresql" && Ancestors(s, trace).Any(webhooks.Contains)),
            statement => Assert.Contains(Ancestors(statement, trace), a => a.Kind == OtlpSpanKind.Consumer && a.Attribute(CallSidTag) == callSid));
    }

    /// <summary>The consume spans in Calls of the call's status callbacks, in <paramref name="traceId"/>.</summary>
    private static IEnumerable<OtlpSpan> StatusConsumes(IEnumerable<OtlpSpan> spans, string traceId, string callSid) =>
        spans.Where(s => s is { Service: "VoiceMesh.Calls", Kind: OtlpSpanKind.Consumer } && s.TraceId == traceId
            && s.Attribute(CallSidTag) == callSid && s.Attribute(MessageTypeTag) == "CallStatusCallbackReceived");

    /// <summary>The exported parents of <paramref name="span"/>, nearest first, up to the first one not exported.</summary>
    private static List<OtlpSpan> Ancestors(OtlpSpan span, Dictionary<string, OtlpSpan> trace)
    {
        var ancestors = new List<OtlpSpan>();
        for (var parent = span.ParentSpanId; parent is not null && trace.TryGetValue(parent, out var found); parent = found.ParentSpanId)
        {
            ancestors.Add(found);
        }

        return ancestors;
    }

    /// <summary>The gateway and Calls exporting to one <see cref="OtlpReceiver"/>.</summary>
    public sealed class TracedMesh(TestInfrastructure infrastructure) : IAsyncLifetime
    {
        public OtlpReceiver Receiver { get; private set; } = null!;

        public Mesh Mesh { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            Receiver = await OtlpReceiver.StartAsync();
            try
            {
                Mesh = await Mesh.Start(
                    await infrastructure.CreateVirtualHostAsync(), infrastructure.PostgresConnectionString,
                    otherServices: Mesh.CallsAlone, everyProcess: Receiver.ExporterEnvironment);
            }
            catch
            {
                await Receiver.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Mesh.DisposeAsync();
            await Receiver.DisposeAsync();
        }
    }
}
