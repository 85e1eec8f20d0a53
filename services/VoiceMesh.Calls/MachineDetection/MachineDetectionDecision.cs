using VoiceMesh.Calls.Lifecycle;
using VoiceMesh.Calls.Placement;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.MachineDetection;

/// <summary>What an asynchronous AMD result changes on a call; pure, so it is tested without a database.</summary>
public static class MachineDetectionDecision
{
    /// <param name="call">The call's current state, null when nothing is stored yet.</param>
    /// <param name="request">What the call's PlaceCall asked for, null for calls VoiceMesh did not place.</param>
    /// <param name="detected">The detection, as it would be stored.</param>
    /// <param name="now">The time of the decision.</param>
    public static Decision Decide(Call? call, PlacementRequested? request, AnsweredByDetected detected, DateTimeOffset now)
    {
        if (call?.AmdMessageId == detected.MessageId || call?.BelongsToAnotherAccount(detected.AccountSid) == true)
        {
            return Decision.None;
        }

        if (!detected.AnsweredBy.IsMachine() || call?.MachineActionRequestedAt is not null
            || request?.OnMachine is not (MachineAction.HangUp or MachineAction.Message) || call?.IsTerminal == true)
        {
            return new object[] { detected };
        }

        return new object[]
        {
            detected,
            new MachineActionRequested
            {
                CallSid = detected.CallSid,
                Action = request.OnMachine.Value,
                Twiml = request.OnMachine == MachineAction.Message ? request.MachineMessageTwiml : null,
                RequestedAt = now,
            },
        };
    }
}
