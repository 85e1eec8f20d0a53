using System.Net.Sockets;
using JasperFx.Events;
using Npgsql;
using Twilio.Exceptions;

namespace VoiceMesh.ServiceDefaults.Tests;

/// <summary>Which failures the retry policy holds, retries quickly, or lets go to <c>_error</c>.</summary>
public sealed class FailureClassificationSpecs
{
    private static readonly FailureClassification Classification =
        new([new WorkInProgressClassifier(), new UnrequestedCancellationClassifier(), new PostgresFailureClassifier(), new TwilioFailureClassifier()]);

    public static TheoryData<Exception, FailureKind> Failures => new()
    {
        { new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused)), FailureKind.Outage },
        { new InvalidOperationException("wrapped", new NpgsqlException("Exception while reading", new IOException("reset"))), FailureKind.Outage },
        { new PostgresException("the database system is shutting down", "FATAL", "FATAL", "57P03"), FailureKind.Outage },
        { new PostgresException("unsupported Unicode escape sequence", "ERROR", "ERROR", "22P05"), FailureKind.Unknown },
        { new StreamConflictException("CA1", new EventStreamUnexpectedMaxEventIdException("CA1", typeof(object), 2, 3)), FailureKind.Conflict },
        { new InvalidOperationException("append", StreamKeyViolation("pkey_mt_streams_id")), FailureKind.Conflict },
        { StreamKeyViolation("pk_mt_events_stream_and_version"), FailureKind.Conflict },
        { StreamKeyViolation("pkey_some_table"), FailureKind.Unknown },
        { new InvalidOperationException("save", new JasperFx.DocumentAlreadyExistsException(new InvalidOperationException(), typeof(Version), "CA1")), FailureKind.Conflict },
        { new ApiException(20503, 503, "Service Unavailable", "https://www.twilio.com/docs/errors/20503"), FailureKind.Outage },
        { new ApiException(20429, 429, "Too Many Requests", "https://www.twilio.com/docs/errors/20429"), FailureKind.Outage },
        { new ApiConnectionException("Connection Error: POST", new HttpRequestException("refused")), FailureKind.Outage },
        { new ApiException(21217, 400, "Phone number does not appear to be valid", "https://www.twilio.com/docs/errors/21217"), FailureKind.Unknown },
        { new WorkInProgressException("another delivery holds it"), FailureKind.Outage },
        { new UnrequestedCancellationException("PlaceCallConsumer", new TaskCanceledException()), FailureKind.Outage },
        { new OperationCanceledException("canceled by the delivery"), FailureKind.Unknown },
        { new FormatException("a bug"), FailureKind.Unknown },
    };

    private static PostgresException StreamKeyViolation(string constraint) =>
        new("duplicate key value violates unique constraint", "ERROR", "ERROR", PostgresErrorCodes.UniqueViolation, constraintName: constraint);

    [Theory]
    [MemberData(nameof(Failures))]
    public void Each_failure_has_its_kind(Exception failure, FailureKind kind) =>
        Assert.Equal(kind, Classification.Classify(failure));

    [Fact]
    public void The_outage_hold_adds_up_to_the_configured_hold_after_quick_first_retries()
    {
        var options = new MessagingOptions { OutageHold = TimeSpan.FromMinutes(20), OutageRetryInterval = TimeSpan.FromSeconds(5) };

        var delays = options.OutageRetryDelays;

        Assert.Equal(
            [TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5)],
            delays.Take(5));
        Assert.InRange(delays.Aggregate(TimeSpan.Zero, (a, b) => a + b), TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(20) + TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromSeconds(3.6), options.QuickRetryDelays.Aggregate(TimeSpan.Zero, (a, b) => a + b));
    }

    [Fact]
    public void A_message_id_stored_already_is_a_duplicate_not_a_conflict()
    {
        var duplicate = new JasperFx.DocumentAlreadyExistsException(new InvalidOperationException(), typeof(ProcessedMessage), "CA1/m1");

        Assert.False(StreamCommands.IsConflict(duplicate));
        Assert.True(StreamCommands.IsConflict(
            new JasperFx.DocumentAlreadyExistsException(new InvalidOperationException(), typeof(Version), "CA1")));
    }
}
