using VoiceMesh.Calls.Lifecycle;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Reconciliation;

/// <summary>Reconciliation asked Twilio about the call and found nothing new.</summary>
public sealed record CallReconciliationChecked(string CallSid, CallStatus TwilioStatus, DateTimeOffset CheckedAt);

/// <summary>
/// Reconciliation asked Twilio about the call and Twilio refused with an error that is not "try later" (20404: Twilio
/// does not know the call). Recorded so the call counts as quiet only from now and the next runs reach other calls.
/// </summary>
public sealed record CallReconciliationRefused(string CallSid, int ErrorCode, string Reason, DateTimeOffset CheckedAt);

/// <summary>What Twilio's REST API says about a call.</summary>
public sealed record TwilioCallState(CallStatus Status, DateTimeOffset? StartTime, DateTimeOffset? EndTime, AnsweredBy? AnsweredBy, int? DurationSeconds);

/// <summary>What a look at Twilio changes on a quiet call; pure, so it is tested without a database or Twilio.</summary>
public static class ReconciliationDecision
{
    /// <summary>
    /// A status further along than the stream's is appended as a report from reconciliation (once per status);
    /// otherwise the check itself is recorded, so the call counts as quiet only from now. A call that is gone or
    /// ended changes nothing.
    /// </summary>
    public static Decision Decide(Call? call, TwilioCallState atTwilio, DateTimeOffset now)
    {
        if (call is null || call.IsTerminal)
        {
            return Decision.None;
        }

        var messageId = $"reconciliation:{call.Id}:{atTwilio.Status.ToWire()}";
        if (atTwilio.Status.Rank() <= call.Status.Rank() || call.AlreadyHas(messageId, atTwilio.Status, null))
        {
            return new object[] { new CallReconciliationChecked(call.Id, atTwilio.Status, now) };
        }

        return call.Reported(
            new CallStatusReported
            {
                CallSid = call.Id,
                Status = atTwilio.Status,
                Timestamp = atTwilio.EndTime ?? atTwilio.StartTime ?? now,
                Source = ReportSource.Reconciliation,
                MessageId = messageId,
                AnsweredBy = atTwilio.AnsweredBy,
                DurationSeconds = atTwilio.Status == CallStatus.Completed ? atTwilio.DurationSeconds : null,
                ReceivedAt = now,
            });
    }

    /// <summary>Twilio refused to say (an error that is not transient): recorded on a live call, nothing on a gone or ended one.</summary>
    public static Decision Refused(Call? call, int errorCode, string reason, DateTimeOffset now) =>
        call is null || call.IsTerminal
            ? Decision.None
            : new object[] { new CallReconciliationRefused(call.Id, errorCode, reason, now) };
}
