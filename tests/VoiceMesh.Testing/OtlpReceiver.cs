using System.Buffers.Binary;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace VoiceMesh.Testing;

/// <summary>OTLP's span kinds (<c>opentelemetry/proto/trace/v1/trace.proto</c>, <c>Span.SpanKind</c>).</summary>
public enum OtlpSpanKind
{
    Unspecified = 0,
    Internal = 1,
    Server = 2,
    Client = 3,
    Producer = 4,
    Consumer = 5,
}

/// <summary>One span as a process exported it; ids in lower-case hex, <see cref="ParentSpanId"/> null for a root.</summary>
public sealed record OtlpSpan(
    string Service, string TraceId, string SpanId, string? ParentSpanId, string Name, OtlpSpanKind Kind, IReadOnlyDictionary<string, object> Attributes)
{
    /// <summary>The spans this one links to (trace id, span id), e.g. a transaction that stored it with others.</summary>
    public IReadOnlyList<(string TraceId, string SpanId)> Links { get; init; } = [];

    /// <summary>The exporting process's <c>service.instance.id</c>: one per process, so instances of a service tell apart.</summary>
    public string ServiceInstance { get; init; } = "";

    public string? Attribute(string key) => Attributes.TryGetValue(key, out var value) ? Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) : null;

    public override string ToString() =>
        $"{Service} {Kind} '{Name}' {TraceId}/{SpanId}<-{ParentSpanId} {{{string.Join(", ", Attributes.Select(a => $"{a.Key}={a.Value}"))}}}";
}

/// <summary>
/// An OTLP/HTTP receiver in the test process: the in-memory exporter of processes under test. The gateway and the
/// services run as processes of their own, as in production, so an in-memory exporter inside one of them sees only
/// that process's spans; each of them instead exports with its ordinary OTLP exporter, configured by the standard
/// <c>OTEL_*</c> variables (<see cref="ExporterEnvironment"/>), to this endpoint, which keeps every span in memory.
/// It accepts <c>POST /v1/traces</c> as <c>application/x-protobuf</c> (an <c>ExportTraceServiceRequest</c>, read
/// by a minimal protobuf wire reader of the fields tests need) and acknowledges <c>/v1/logs</c> and
/// <c>/v1/metrics</c> without keeping them.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly List<OtlpSpan> _spans = [];

    private OtlpReceiver(WebApplication app) => _app = app;

    /// <summary>Where the exporters send, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>
    /// What a process needs to export here: the base endpoint (OpenTelemetry .NET's <c>UseOtlpExporter</c> appends
    /// <c>/v1/traces</c> for <c>http/protobuf</c>), the protocol, and a batch delay of 200 ms instead of 5 s.
    /// </summary>
    public IReadOnlyDictionary<string, string> ExporterEnvironment => new Dictionary<string, string>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Endpoint.ToString().TrimEnd('/'),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
    };

    /// <summary>Every span received so far.</summary>
    public IReadOnlyList<OtlpSpan> Spans
    {
        get
        {
            lock (_gate)
            {
                return [.. _spans];
            }
        }
    }

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", receiver.ReceiveTraces);
        app.MapPost("/v1/{signal}", () => Results.Bytes([], "application/x-protobuf"));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        receiver.Endpoint = new Uri(address);
        return receiver;
    }

    /// <summary>Polls the received spans until <paramref name="done"/> holds, or fails naming what arrived.</summary>
    public async Task<IReadOnlyList<OtlpSpan>> WaitFor(Func<IReadOnlyList<OtlpSpan>, bool> done, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var started = DateTime.UtcNow;
        while (true)
        {
            var spans = Spans;
            if (done(spans))
            {
                return spans;
            }

            if (DateTime.UtcNow - started > timeout)
            {
                throw new TimeoutException(
                    $"The expected spans did not arrive within {timeout}; received {spans.Count}: "
                    + string.Join("; ", spans));
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    private async Task<IResult> ReceiveTraces(HttpRequest request)
    {
        if (!string.Equals(request.ContentType, "application/x-protobuf", StringComparison.OrdinalIgnoreCase))
        {
            return Results.StatusCode(StatusCodes.Status415UnsupportedMediaType);
        }

        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, request.HttpContext.RequestAborted);
        var spans = ExportTraceServiceRequest.Read(body.ToArray());
        lock (_gate)
        {
            _spans.AddRange(spans);
        }

        return Results.Bytes([], "application/x-protobuf");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>
    /// The fields of <c>ExportTraceServiceRequest</c> tests read: resource_spans(1) { resource(1) { attributes(1): service.name, service.instance.id },
    /// scope_spans(2) { spans(2) { trace_id(1), span_id(2), parent_span_id(4), name(5), kind(6), attributes(9) } } }.
    /// </summary>
    internal static class ExportTraceServiceRequest
    {
        public static List<OtlpSpan> Read(ReadOnlySpan<byte> request)
        {
            var spans = new List<OtlpSpan>();
            var reader = new WireReader(request);
            while (reader.Next(out var field, out var wireType))
            {
                if (field == 1 && wireType == WireReader.LenType)
                {
                    ReadResourceSpans(reader.Bytes(), spans);
                }
                else
                {
                    reader.Skip(wireType);
                }
            }

            return spans;
        }

        private static void ReadResourceSpans(ReadOnlySpan<byte> resourceSpans, List<OtlpSpan> spans)
        {
            var service = "";
            var instance = "";
            var scopes = new List<byte[]>();
            var reader = new WireReader(resourceSpans);
            while (reader.Next(out var field, out var wireType))
            {
                switch (field, wireType)
                {
                    case (1, WireReader.LenType):
                        var resource = Attributes(reader.Bytes(), attributesField: 1);
                        service = resource.TryGetValue("service.name", out var name) ? (string)name : "";
                        instance = resource.TryGetValue("service.instance.id", out var id) ? (string)id : "";
                        break;
                    case (2, WireReader.LenType):
                        scopes.Add(reader.Bytes().ToArray());
                        break;
                    default:
                        reader.Skip(wireType);
                        break;
                }
            }

            foreach (var scope in scopes)
            {
                var scopeReader = new WireReader(scope);
                while (scopeReader.Next(out var field, out var wireType))
                {
                    if (field == 2 && wireType == WireReader.LenType)
                    {
                        spans.Add(ReadSpan(service, scopeReader.Bytes()) with { ServiceInstance = instance });
                    }
                    else
                    {
                        scopeReader.Skip(wireType);
                    }
                }
            }
        }

        private static OtlpSpan ReadSpan(string service, ReadOnlySpan<byte> span)
        {
            string traceId = "", spanId = "", name = "";
            string? parent = null;
            var kind = OtlpSpanKind.Unspecified;
            var links = new List<(string, string)>();
            var attributes = Attributes(span, attributesField: 9);
            var reader = new WireReader(span);
            while (reader.Next(out var field, out var wireType))
            {
                switch (field, wireType)
                {
                    case (1, WireReader.LenType):
                        traceId = Convert.ToHexStringLower(reader.Bytes());
                        break;
                    case (2, WireReader.LenType):
                        spanId = Convert.ToHexStringLower(reader.Bytes());
                        break;
                    case (4, WireReader.LenType):
                        var parentBytes = reader.Bytes();
                        parent = parentBytes.IsEmpty ? null : Convert.ToHexStringLower(parentBytes);
                        break;
                    case (5, WireReader.LenType):
                        name = Encoding.UTF8.GetString(reader.Bytes());
                        break;
                    case (6, WireReader.VarintType):
                        kind = (OtlpSpanKind)reader.Varint();
                        break;
                    case (13, WireReader.LenType):
                        links.Add(ReadLink(reader.Bytes()));
                        break;
                    default:
                        reader.Skip(wireType);
                        break;
                }
            }

            return new OtlpSpan(service, traceId, spanId, parent, name, kind, attributes) { Links = links };
        }

        /// <summary>A <c>Span.Link</c>: its trace id (field 1) and span id (field 2).</summary>
        private static (string TraceId, string SpanId) ReadLink(ReadOnlySpan<byte> link)
        {
            string traceId = "", spanId = "";
            var reader = new WireReader(link);
            while (reader.Next(out var field, out var wireType))
            {
                switch (field, wireType)
                {
                    case (1, WireReader.LenType):
                        traceId = Convert.ToHexStringLower(reader.Bytes());
                        break;
                    case (2, WireReader.LenType):
                        spanId = Convert.ToHexStringLower(reader.Bytes());
                        break;
                    default:
                        reader.Skip(wireType);
                        break;
                }
            }

            return (traceId, spanId);
        }

        /// <summary>The KeyValue list at <paramref name="attributesField"/> of a message: string, bool, int and double values.</summary>
        private static Dictionary<string, object> Attributes(ReadOnlySpan<byte> message, int attributesField)
        {
            var attributes = new Dictionary<string, object>(StringComparer.Ordinal);
            var reader = new WireReader(message);
            while (reader.Next(out var field, out var wireType))
            {
                if (field != attributesField || wireType != WireReader.LenType)
                {
                    reader.Skip(wireType);
                    continue;
                }

                var keyValue = new WireReader(reader.Bytes());
                string? key = null;
                object? value = null;
                while (keyValue.Next(out var kvField, out var kvType))
                {
                    switch (kvField, kvType)
                    {
                        case (1, WireReader.LenType):
                            key = Encoding.UTF8.GetString(keyValue.Bytes());
                            break;
                        case (2, WireReader.LenType):
                            value = AnyValue(keyValue.Bytes());
                            break;
                        default:
                            keyValue.Skip(kvType);
                            break;
                    }
                }

                if (key is not null && value is not null)
                {
                    attributes[key] = value;
                }
            }

            return attributes;
        }

        private static object? AnyValue(ReadOnlySpan<byte> anyValue)
        {
            var reader = new WireReader(anyValue);
            object? value = null;
            while (reader.Next(out var field, out var wireType))
            {
                value = (field, wireType) switch
                {
                    (1, WireReader.LenType) => Encoding.UTF8.GetString(reader.Bytes()),
                    (2, WireReader.VarintType) => reader.Varint() != 0,
                    (3, WireReader.VarintType) => (long)reader.Varint(),
                    (4, WireReader.Fixed64Type) => BitConverter.Int64BitsToDouble((long)reader.Fixed64()),
                    _ => Skipped(ref reader, wireType, value),
                };
            }

            return value;
        }

        private static object? Skipped(ref WireReader reader, int wireType, object? value)
        {
            reader.Skip(wireType);
            return value;
        }
    }

    /// <summary>Protocol buffers' wire format: tags, varints, fixed 32/64-bit values and length-delimited fields.</summary>
    internal ref struct WireReader(ReadOnlySpan<byte> buffer)
    {
        public const int VarintType = 0;
        public const int Fixed64Type = 1;
        public const int LenType = 2;
        public const int Fixed32Type = 5;

        private readonly ReadOnlySpan<byte> _buffer = buffer;
        private int _position;

        public bool Next(out int field, out int wireType)
        {
            if (_position >= _buffer.Length)
            {
                (field, wireType) = (0, 0);
                return false;
            }

            var tag = Varint();
            (field, wireType) = ((int)(tag >> 3), (int)(tag & 7));
            return true;
        }

        public ulong Varint()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                var b = _buffer[_position++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }

            throw new InvalidDataException("A varint longer than 10 bytes.");
        }

        public ulong Fixed64()
        {
            var value = BinaryPrimitives.ReadUInt64LittleEndian(_buffer[_position..]);
            _position += 8;
            return value;
        }

        public ReadOnlySpan<byte> Bytes()
        {
            var length = checked((int)Varint());
            var bytes = _buffer.Slice(_position, length);
            _position += length;
            return bytes;
        }

        public void Skip(int wireType)
        {
            switch (wireType)
            {
                case VarintType:
                    Varint();
                    break;
                case Fixed64Type:
                    _position += 8;
                    break;
                case LenType:
                    Bytes();
                    break;
                case Fixed32Type:
                    _position += 4;
                    break;
                default:
                    throw new InvalidDataException($"Wire type {wireType} is not supported.");
            }
        }
    }
}
