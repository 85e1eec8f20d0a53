using VoiceMesh.Calls.Lifecycle;

namespace VoiceMesh.Calls.Tests;

public sealed class CallLifecycleSpecs
{
    private const string CallSid = "CA0123456789abcdef0123456789abcdef";

    private static readonly CallStatus[] Lifecycle =
        [CallStatus.Queued, CallStatus.Initiated, CallStatus.Ringing, CallStatus.InProgress, CallStatus.Completed];

    private static CallStatusReported Report(CallStatus status, int sequence, string? messageId = null) => new()
    {
        CallSid = CallSid,
        Status = status,
        SequenceNumber = sequence,
        Timestamp = DateTimeOffset.Parse("2025-10-14T17:03:41Z", System.Globalization.CultureInfo.InvariantCulture).AddSeconds(sequence),
        Source = ReportSource.StatusCallback,
        MessageId = messageId ?? $"m{sequence}",
        DurationSeconds = status == CallStatus.Completed ? 42 : null,
        ReceivedAt = DateTimeOffset.UnixEpoch,
    };

    private static Call Fold(IEnumerable<CallStatusReported> reports)
    {
        Call? call = null;
        foreach (var report in reports)
        {
            foreach (var decided in Call.Decide(call, report).Events.Cast<CallStatusReported>())
            {
                call = call is null ? Call.Create(decided) : call.Apply(decided);
            }
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
            Assert.Equal(CallStatus.Completed, call.Status);
            Assert.Equal(Lifecycle, call.History.Select(h => h.Status));
            Assert.Equal(42, call.DurationSeconds);
            Assert.True(call.IsTerminal);
        }
    }

    [Fact]
    public void Deciding_on_a_report_the_call_holds_appends_nothing()
    {
        var call = Call.Create(Report(CallStatus.Ringing, 2, "token-1"));

        Assert.Empty(Call.Decide(call, Report(CallStatus.Ringing, 2, "token-1")).Events);
        Assert.Empty(Call.Decide(call, Report(CallStatus.Ringing, 2, "token-2")).Events);
        Assert.Single(Call.Decide(call, Report(CallStatus.InProgress, 3, "token-3")).Events);
        Assert.Single(Call.Decide(null, Report(CallStatus.Queued, 0)).Events);
    }

    [Theory]
    [InlineData("queued", CallStatus.Queued)]
    [InlineData("in-progress", CallStatus.InProgress)]
    [InlineData("no-answer", CallStatus.NoAnswer)]
    [InlineData("canceled", CallStatus.Canceled)]
    public void Twilio_wire_strings_convert_both_ways(string wire, CallStatus status)
    {
        Assert.Equal(status, CallStatusWire.Parse(wire));
        Assert.Equal(wire, status.ToWire());
        Assert.False(CallStatusWire.TryParse("In-Progress", out _));
    }

    [Fact]
    public void A_late_ringing_does_not_reopen_a_completed_call()
    {
        var call = Fold([Report(CallStatus.InProgress, 3), Report(CallStatus.Completed, 4), Report(CallStatus.Ringing, 2)]);

        Assert.Equal(CallStatus.Completed, call.Status);
        Assert.Equal([CallStatus.Ringing, CallStatus.InProgress, CallStatus.Completed], call.History.Select(h => h.Status));
    }

    [Fact]
    public void Among_non_terminal_reports_the_furthest_wins()
    {
        var call = Fold([Report(CallStatus.Ringing, 2), Report(CallStatus.Queued, 0), Report(CallStatus.Initiated, 1)]);

        Assert.Equal(CallStatus.Ringing, call.Status);
    }

    [Theory]
    [InlineData(CallStatus.Busy)]
    [InlineData(CallStatus.NoAnswer)]
    [InlineData(CallStatus.Failed)]
    [InlineData(CallStatus.Canceled)]
    public void A_terminal_status_beats_every_earlier_one(CallStatus terminal)
    {
        var call = Fold([Report(terminal, 3), Report(CallStatus.Ringing, 2), Report(CallStatus.Initiated, 1)]);

        Assert.Equal(terminal, call.Status);
    }

    [Fact]
    public void The_same_message_id_is_a_duplicate()
    {
        var call = Call.Create(Report(CallStatus.Ringing, 2, "token-1"));

        Assert.True(call.AlreadyHas("token-1", CallStatus.InProgress, 3));
        Assert.False(call.AlreadyHas("token-2", CallStatus.InProgress, 3));
    }

    [Fact]
    public void The_same_twilio_event_under_another_message_id_is_a_duplicate()
    {
        var call = Call.Create(Report(CallStatus.Ringing, 2, "token-1"));

        Assert.True(call.AlreadyHas("token-2", CallStatus.Ringing, 2));
        Assert.False(call.AlreadyHas("token-2", CallStatus.Ringing, null));
    }

    [Fact]
    public void The_first_report_fixes_direction_and_parties()
    {
        var first = Report(CallStatus.Queued, 0) with { Direction = "outbound-api", From = "+15005550006", To = "+14155550100" };
        var call = Call.Create(first).Apply(Report(CallStatus.Ringing, 2) with { Direction = null });

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
        var call = Fold([Report(CallStatus.Queued, 0), Report(CallStatus.Ringing, 2), Report(CallStatus.Busy, 5)]);

        Assert.Equal(new CallTimings(2, null, null), call.Timings());
    }
}
