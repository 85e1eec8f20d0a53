using System.Text;
using VoiceMesh.Gateway.DeadLetters;

namespace VoiceMesh.Gateway.Tests;

/// <summary>What the dead-letter API reads from a faulted message's headers, and what a replayed copy keeps of them.</summary>
public sealed class DeadLetterHeaderSpecs
{
    private const string Envelope = """{"messageId":"m-1","messageType":["urn:message:VoiceMesh.Contracts.Calls:CallStatusCallbackReceived"],"message":{}}""";

    // As MassTransit 8.5.12 moves a message to an _error queue (seen on call-status-callback-received_error): AMQP long
    // strings arrive as bytes, the retry count as a number; the broker adds x-delivery-count on a quorum queue.
    private static Dictionary<string, object?> Faulted() => new()
    {
        ["Content-Type"] = Bytes("application/vnd.masstransit+json"),
        ["traceparent"] = Bytes("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
        ["MT-Reason"] = Bytes("fault"),
        ["MT-Fault-ExceptionType"] = Bytes("System.Net.Sockets.SocketException"),
        ["MT-Fault-Message"] = Bytes("Connection refused"),
        ["MT-Fault-MessageType"] = Bytes("VoiceMesh.Contracts.Calls.CallStatusCallbackReceived"),
        ["MT-Fault-ConsumerType"] = Bytes("VoiceMesh.Calls.Lifecycle.CallStatusCallbackReceivedConsumer"),
        ["MT-Fault-InputAddress"] = Bytes("rabbitmq://127.0.0.1:5672/call-status-callback-received"),
        ["MT-Fault-Timestamp"] = Bytes("2026-12-01T08:15:25.2575979Z"),
        ["MT-Fault-StackTrace"] = Bytes("   at Npgsql..."),
        ["MT-Fault-RetryCount"] = 7,
        ["MT-Host-MachineName"] = Bytes("calls-1"),
        ["MT-Host-ProcessId"] = Bytes("4242"),
        ["x-delivery-count"] = 3L,
    };

    [Fact]
    public void A_faulted_message_is_described_by_its_envelope_types_and_its_fault_headers()
    {
        var letter = DeadLetterHeaders.Describe("m-1", "application/vnd.masstransit+json", Faulted(), Encoding.UTF8.GetBytes(Envelope));

        Assert.Equal("m-1", letter.MessageId);
        Assert.Equal(["urn:message:VoiceMesh.Contracts.Calls:CallStatusCallbackReceived"], letter.MessageTypes);
        Assert.Equal("System.Net.Sockets.SocketException", letter.ExceptionType);
        Assert.Equal("Connection refused", letter.ExceptionMessage);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 8, 15, 25, TimeSpan.Zero).AddTicks(2575979), letter.FaultedAt);
        Assert.Equal("rabbitmq://127.0.0.1:5672/call-status-callback-received", letter.InputAddress);
        Assert.Equal("VoiceMesh.Calls.Lifecycle.CallStatusCallbackReceivedConsumer", letter.ConsumerType);
        Assert.Equal(7, letter.Retries);
        Assert.Equal(0, letter.Replays);
        Assert.Equal(Encoding.UTF8.GetByteCount(Envelope), letter.SizeBytes);
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", letter.TraceId);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("|0af7651916cd43dd.b7ad6b71_")]
    [InlineData("00-00000000000000000000000000000000-b7ad6b7169203331-01")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c")]
    public void A_message_without_a_well_formed_trace_context_has_no_trace_id(string? traceParent)
    {
        var headers = Faulted();
        headers["traceparent"] = traceParent is null ? null : Bytes(traceParent);

        Assert.Null(DeadLetterHeaders.Describe("m-1", null, headers, Encoding.UTF8.GetBytes(Envelope)).TraceId);
    }

    [Fact]
    public void A_body_that_is_not_an_envelope_takes_its_type_from_the_fault_header()
    {
        var letter = DeadLetterHeaders.Describe(null, "application/json", Faulted(), "not json"u8);

        Assert.Null(letter.MessageId);
        Assert.Equal(["VoiceMesh.Contracts.Calls.CallStatusCallbackReceived"], letter.MessageTypes);
    }

    [Fact]
    public void A_replayed_copy_keeps_the_messages_own_headers_and_drops_the_fault_the_faulting_host_and_the_brokers()
    {
        var headers = DeadLetterHeaders.ForReplay(Faulted());

        Assert.Equal(["Content-Type", DeadLetterHeaders.ReplayCount, "traceparent"], headers.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", DeadLetterHeaders.Text(headers, "traceparent"));
        Assert.Equal(1, headers[DeadLetterHeaders.ReplayCount]);
    }

    [Fact]
    public void Each_replay_counts_one_more_and_the_count_is_read_back()
    {
        var faultedAgain = DeadLetterHeaders.ForReplay(DeadLetterHeaders.ForReplay(Faulted()));
        Assert.Equal(2, faultedAgain[DeadLetterHeaders.ReplayCount]);

        // MassTransit copies the header when the replayed message faults again; read from the broker it is a number.
        faultedAgain[DeadLetterHeaders.ReplayCount] = 2L;
        Assert.Equal(2, DeadLetterHeaders.Describe("m-1", null, faultedAgain, Encoding.UTF8.GetBytes(Envelope)).Replays);
    }

    [Theory]
    [InlineData("amqp://guest:guest@127.0.0.1:5672/", null, "http://127.0.0.1:15672/", "/", "guest", "guest")]
    [InlineData("amqp://ops:s%3Acret@rabbit.internal:5672/voice", null, "http://rabbit.internal:15672/", "voice", "ops", "s:cret")]
    [InlineData("amqp://127.0.0.1:5672", null, "http://127.0.0.1:15672/", "/", "guest", "guest")]
    [InlineData("amqp://app:pw@rabbit:5672/%2F", "https://admin:adminpw@mq.example.com/rabbit", "https://mq.example.com/rabbit/", "/", "admin", "adminpw")]
    [InlineData("amqp://app:pw@rabbit:5672/vm-1", "http://127.0.0.1:31000", "http://127.0.0.1:31000/", "vm-1", "app", "pw")]
    public void The_management_api_and_virtual_host_follow_the_amqp_uri_unless_configured(
        string amqp, string? managementUrl, string management, string virtualHost, string user, string password)
    {
        var broker = BrokerEndpoints.From(amqp, managementUrl);

        Assert.Equal(new Uri(management), broker.Management);
        Assert.Equal(virtualHost, broker.VirtualHost);
        Assert.Equal((user, password), (broker.User, broker.Password));
        Assert.Equal($"api/queues/{Uri.EscapeDataString(virtualHost)}", broker.QueuesPath);
    }

    [Theory]
    [InlineData(new[] { "m-1" }, false, null)]
    [InlineData(null, true, null)]
    [InlineData(new[] { "m-1" }, true, "not both")]
    [InlineData(null, false, "Give the messageIds")]
    [InlineData(new string[0], false, "empty")]
    [InlineData(new[] { " " }, false, "non-empty")]
    public void A_replay_names_either_message_ids_or_all(string[]? ids, bool all, string? refusal)
    {
        var invalid = DeadLetterEndpoints.Invalid(new ReplayRequest(ids, all));

        if (refusal is null)
        {
            Assert.Null(invalid);
        }
        else
        {
            Assert.Contains(refusal, invalid, StringComparison.Ordinal);
        }
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
