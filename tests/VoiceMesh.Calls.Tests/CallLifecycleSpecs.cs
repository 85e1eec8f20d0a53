using VoiceMesh.Calls.Domain;
using VoiceMesh.Contracts.Calls;

namespace VoiceMesh.Calls.Tests;

public sealed class CallLifecycleSpecs
{
    private const string CallSid = "CA0123456789abcdef0123456789abcdef";

    private static readonly string[] Lifecycle =
        [CallStatuses.Queued, CallStatuses.Initiated, CallStatuses.Ringing, CallStatuses.InProgress, CallStatuses.Completed];

    private static CallStatusReported Report(string status, int sequence, string? messageId = null) => new()
    {
        CallSid = CallSid,
        Status = status,
        SequenceNumber = sequence,
        Timestamp = DateTimeOffset.Parse("2025-10-14T17:03:41Z", System.Globalization.CultureInfo.InvariantCulture).AddSeconds(sequence),
        Source = ReportSources.StatusCallback,
        MessageId = messageId ?? $"m{sequence}",
        DurationSeconds = status == CallStatuses.Completed ? 42 : null,
        ReceivedAt = DateTimeOffset.UnixEpoch,
    };

    private static Call Fold(IEnumerable<CallStatusReported> reports)
    {
        Call? call = null;
        foreach (var report in reports)
        {
            if (call?.AlreadyHas(report.MessageId, report.Status, report.SequenceNumber) == true)
            {
                continue;
            }

            call = call is null ? Call.Create(report) : call.Apply(report);
        }

        return call!;
    }

    private static IEnumerable<IReadOnlyList<T>> Permutations<T>(IReadOnlyList<T> items)
    {
        if (items.Count <= 1)
        {
            yield return items;
            yield break;
        }

        for (var i = 0; i < items.Count; i++)
        {
            var rest = items.Where((_, j) => j != i).ToList();
            foreach (var tail in Permutations(rest))
            {
                yield return [items[i], .. tail];
            }
        }
    }

    [Fact]
    public void Every_arrival_order_of_a_lifecycle_with_a_duplicate_ends_completed_with_each_report_once()
    {
        var reports = Lifecycle.Select((s, i) => Report(s, i)).ToList();
        var withDuplicate = reports.Append(reports[2]).ToList();
        var orders = Permutations(withDuplicate).ToList();

        Assert.Equal(720, orders.Count);
        foreach (var order in orders)
        {
            var call = Fold(order);
            Assert.Equal(CallStatuses.Completed, call.Status);
            Assert.Equal(Lifecycle, call.History.Select(h => h.Status));
            Assert.Equal(42, call.DurationSeconds);
        }
    }

    [Fact]
    public void A_late_ringing_does_not_reopen_a_completed_call()
    {
        var call = Fold([Report(CallStatuses.InProgress, 3), Report(CallStatuses.Completed, 4), Report(CallStatuses.Ringing, 2)]);

        Assert.Equal(CallStatuses.Completed, call.Status);
        Assert.Equal([CallStatuses.Ringing, CallStatuses.InProgress, CallStatuses.Completed], call.History.Select(h => h.Status));
    }

    [Fact]
    public void Among_non_terminal_reports_the_furthest_wins()
    {
        var call = Fold([Report(CallStatuses.Ringing, 2), Report(CallStatuses.Queued, 0), Report(CallStatuses.Initiated, 1)]);

        Assert.Equal(CallStatuses.Ringing, call.Status);
    }

    [Theory]
    [InlineData(CallStatuses.Busy)]
    [InlineData(CallStatuses.NoAnswer)]
    [InlineData(CallStatuses.Failed)]
    [InlineData(CallStatuses.Canceled)]
    public void A_terminal_status_beats_every_earlier_one(string terminal)
    {
        var call = Fold([Report(terminal, 3), Report(CallStatuses.Ringing, 2), Report(CallStatuses.Initiated, 1)]);

        Assert.Equal(terminal, call.Status);
    }

    [Fact]
    public void The_same_message_id_is_a_duplicate()
    {
        var call = Call.Create(Report(CallStatuses.Ringing, 2, "token-1"));

        Assert.True(call.AlreadyHas("token-1", CallStatuses.InProgress, 3));
        Assert.False(call.AlreadyHas("token-2", CallStatuses.InProgress, 3));
    }

    [Fact]
    public void The_same_twilio_event_under_another_message_id_is_a_duplicate()
    {
        var call = Call.Create(Report(CallStatuses.Ringing, 2, "token-1"));

        Assert.True(call.AlreadyHas("token-2", CallStatuses.Ringing, 2));
        Assert.False(call.AlreadyHas("token-2", CallStatuses.Ringing, null));
    }

    [Fact]
    public void The_first_report_fixes_direction_and_parties()
    {
        var first = Report(CallStatuses.Queued, 0) with { Direction = "outbound-api", From = "+15005550006", To = "+14155550100" };
        var call = Call.Create(first).Apply(Report(CallStatuses.Ringing, 2) with { Direction = null });

        Assert.Equal("outbound-api", call.Direction);
        Assert.Equal("+15005550006", call.From);
        Assert.Equal("+14155550100", call.To);
    }

    [Fact]
    public void Timings_come_from_twilios_timestamps()
    {
        var call = Fold(Lifecycle.Select((s, i) => Report(s, i)));

        Assert.Equal(new CallTimings(QueuedToRingingSeconds: 2, RingingToAnsweredSeconds: 1, TalkSeconds: 42), call.Timings());
    }

    [Fact]
    public void A_call_that_was_never_answered_has_no_talk_time()
    {
        var call = Fold([Report(CallStatuses.Queued, 0), Report(CallStatuses.Ringing, 2), Report(CallStatuses.Busy, 5)]);

        Assert.Equal(new CallTimings(2, null, null), call.Timings());
    }
}
