using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace VoiceMesh.Gateway.DeadLetters;

/// <summary>A faulted message as an operator sees it: what it is, what stopped it, where it came from.</summary>
internal sealed record DeadLetter(
    string? MessageId,
    IReadOnlyList<string> MessageTypes,
    string? ExceptionType,
    string? ExceptionMessage,
    DateTimeOffset? FaultedAt,
    string? InputAddress,
    string? ConsumerType,
    int Retries,
    int Replays,
    string? ContentType,
    int SizeBytes,
    string? TraceId);

/// <summary>
/// What MassTransit writes on a message it moves to an <c>_error</c> queue, and what a replay keeps of it. MassTransit
/// 8.5 copies the message's own headers and adds <c>MT-Reason</c> (<c>fault</c>), the <c>MT-Fault-*</c> headers
/// (exception type, message and stack trace, the faulting message and consumer types, the input address, the time,
/// the retry count) and <c>MT-Host-*</c> (the faulting process); the broker adds <c>x-*</c> headers such as a quorum
/// queue's <c>x-delivery-count</c>. A replay drops all of those, so a message that faults again carries only its new
/// fault, and counts itself in <see cref="ReplayCount"/>.
/// </summary>
internal static class DeadLetterHeaders
{
    /// <summary>How many times the message was moved back from an <c>_error</c> queue.</summary>
    public const string ReplayCount = "VoiceMesh-Replay-Count";

    /// <summary>The W3C trace context of the activity that sent the message (MassTransit 8 propagates it as this header).</summary>
    public const string TraceParent = "traceparent";

    public const string Reason = "MT-Reason";
    public const string ExceptionType = "MT-Fault-ExceptionType";
    public const string ExceptionMessage = "MT-Fault-Message";
    public const string FaultMessageType = "MT-Fault-MessageType";
    public const string ConsumerType = "MT-Fault-ConsumerType";
    public const string InputAddress = "MT-Fault-InputAddress";
    public const string Timestamp = "MT-Fault-Timestamp";
    public const string RetryCount = "MT-Fault-RetryCount";

    private static readonly string[] DroppedPrefixes = ["MT-Fault-", "MT-Host-", "x-"];

    /// <summary>The dead letter described by its AMQP properties, headers and body.</summary>
    public static DeadLetter Describe(string? messageId, string? contentType, IDictionary<string, object?>? headers, ReadOnlySpan<byte> body)
    {
        headers ??= new Dictionary<string, object?>();
        return new DeadLetter(
            messageId ?? Text(headers, "MessageId"),
            EnvelopeMessageTypes(body) is { Count: > 0 } types ? types : [.. Text(headers, FaultMessageType) is { } type ? [type] : Array.Empty<string>()],
            Text(headers, ExceptionType),
            Text(headers, ExceptionMessage),
            Text(headers, Timestamp) is { } at && DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null,
            Text(headers, InputAddress),
            Text(headers, ConsumerType),
            Number(headers, RetryCount),
            Number(headers, ReplayCount),
            contentType,
            body.Length,
            TraceIdOf(Text(headers, TraceParent)));
    }

    /// <summary>The trace id of a W3C <c>traceparent</c>; null for anything else.</summary>
    private static string? TraceIdOf(string? traceParent) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, traceState: null, out var context) && context.TraceId != default
            ? context.TraceId.ToHexString()
            : null;

    /// <summary>
    /// The headers a replayed copy carries: the message's own, without the fault's, the faulting host's and the
    /// broker's, and with <see cref="ReplayCount"/> one higher.
    /// </summary>
    public static Dictionary<string, object?> ForReplay(IDictionary<string, object?>? headers)
    {
        var kept = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in headers ?? new Dictionary<string, object?>())
        {
            if (name != Reason && name != ReplayCount && !DroppedPrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
            {
                kept[name] = value;
            }
        }

        kept[ReplayCount] = Number(headers, ReplayCount) + 1;
        return kept;
    }

    /// <summary>A header's value as text: AMQP long strings arrive as bytes (UTF-8).</summary>
    public static string? Text(IDictionary<string, object?>? headers, string name) =>
        headers is not null && headers.TryGetValue(name, out var value)
            ? value switch
            {
                null => null,
                byte[] bytes => Encoding.UTF8.GetString(bytes),
                IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString(),
            }
            : null;

    private static int Number(IDictionary<string, object?>? headers, string name) =>
        int.TryParse(Text(headers, name), NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : 0;

    /// <summary>The <c>messageType</c> URNs of a MassTransit JSON envelope; none when the body is not one.</summary>
    private static List<string> EnvelopeMessageTypes(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        try
        {
            if (!JsonDocument.TryParseValue(ref reader, out var document))
            {
                return [];
            }

            using (document)
            {
                return document.RootElement.ValueKind == JsonValueKind.Object
                    && document.RootElement.TryGetProperty("messageType", out var types)
                    && types.ValueKind == JsonValueKind.Array
                    ? [.. types.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()!)]
                    : [];
            }
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
