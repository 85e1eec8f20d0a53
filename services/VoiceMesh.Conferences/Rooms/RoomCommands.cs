using Microsoft.Extensions.Options;
using VoiceMesh.Conferences.Control;
using VoiceMesh.Conferences.Lifecycle;
using VoiceMesh.Contracts.Conferences;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Conferences.Rooms;

/// <summary>
/// CreateConference and AddParticipant through the command path, decided by <see cref="Room"/> on the room's stream
/// with its conference's current state, for the bus consumers and the API alike.
/// </summary>
public sealed class RoomCommands(StreamCommands commands, PooledCallerIds callerIds, IOptions<TwilioOptions> twilio, TimeProvider clock)
{
    public static RoomCreated Created(CreateConference command) => new()
    {
        FriendlyName = command.FriendlyName,
        RequestId = command.RequestId,
        Options = new RoomOptions
        {
            StartOnFirstModerator = command.StartOnFirstModerator,
            EndWhenModeratorLeaves = command.EndWhenModeratorLeaves,
            MaxParticipants = command.MaxParticipants ?? ConferenceCommandValidator.MaxParticipants,
            Record = command.Record,
            WaitUrl = command.WaitUrl,
            Region = command.Region,
            Beep = command.Beep,
        },
        CreatedAt = command.OccurredAt,
    };

    public static ParticipantDialRequested DialRequested(AddParticipant command) => new()
    {
        FriendlyName = command.FriendlyName,
        RequestId = command.RequestId,
        To = command.To,
        From = command.From ?? "",
        CallerIdPool = command.CallerIdPool,
        Role = command.Role,
        CallSidToCoach = command.CallSidToCoach,
        Label = command.Label,
        Muted = command.Muted,
        RequestedAt = command.OccurredAt,
    };

    /// <summary>Decides and stores a CreateConference; returns why it was refused, or null.</summary>
    public async Task<CommandRejection?> Create(CreateConference command, CancellationToken cancellationToken)
    {
        if (ConferenceCommandValidator.Validate(command) is { } violation)
        {
            return CommandRejection.Invalid(violation);
        }

        var (_, conference) = await Load(command.FriendlyName, cancellationToken);
        var created = Created(command);
        return (await Execute(command.FriendlyName, command.RequestId, room => Room.Decide(room, conference, created), cancellationToken)).Rejection;
    }

    /// <summary>
    /// Decides and stores an AddParticipant (the dial leaves through the outbox); returns why it was refused, or null.
    /// A dial that names a caller-id pool leases its From first, once the room would take it; the lease is ended at once
    /// when the dial is not stored after all (a race for the last seat, or the same request applied meanwhile).
    /// </summary>
    public async Task<CommandRejection?> Add(AddParticipant command, CancellationToken cancellationToken)
    {
        if (ConferenceCommandValidator.Validate(command) is { } violation)
        {
            return CommandRejection.Invalid(violation);
        }

        var (room, conference) = await Load(command.FriendlyName, cancellationToken);
        var dial = DialRequested(command);
        if (command.CallerIdPool is not { } pool)
        {
            return (await Execute(command.FriendlyName, command.RequestId, r => Room.Decide(r, conference, dial), cancellationToken)).Rejection;
        }

        var ahead = Room.Decide(room, conference, dial);
        if (ahead.Rejection is not null || ahead.Decision.Events.Count == 0)
        {
            return ahead.Rejection;
        }

        var (lease, refusal) = await callerIds.Acquire(command.RequestId, pool, command.To, cancellationToken);
        if (lease is null)
        {
            return new CommandRejection(ConferenceRejection.CallerIdUnavailable, nameof(AddParticipant.CallerIdPool), refusal!);
        }

        var leased = dial with { From = lease.CallerId, LeaseId = lease.LeaseId };
        var (rejection, stored) = await Execute(command.FriendlyName, command.RequestId, r => Room.Decide(r, conference, leased), cancellationToken);
        if (!stored)
        {
            await callerIds.Release(lease.LeaseId, cancellationToken);
        }

        return rejection;
    }

    /// <summary>
    /// Records Twilio's answer to a dial on the room (the name's sid from now on) and on the conference. The room's
    /// stream takes AddParticipant decisions at the same time; a conflict is decided again at once
    /// (<see cref="ConflictRetry"/>, up to <see cref="ConferenceDecisions.ConflictAttempts"/> attempts), since the endpoint's retry would run the whole delivery again and dial twice.
    /// </summary>
    public async Task Dialed(Room room, ParticipantDialRequested dial, string callSid, string conferenceSid, CancellationToken cancellationToken)
    {
        await Execute(room.FriendlyName, null, r => r?.Succeeded(dial.RequestId, callSid, conferenceSid, clock.GetUtcNow()) ?? Verdict.Nothing, cancellationToken);
        var dialed = new ParticipantDialed
        {
            ConferenceSid = conferenceSid,
            FriendlyName = room.FriendlyName,
            RequestId = dial.RequestId,
            CallSid = callSid,
            Role = dial.Role,
            CallSidToCoach = dial.CallSidToCoach,
            LeaseId = dial.LeaseId,
            DialedAt = clock.GetUtcNow(),
            AccountSid = twilio.Value.AccountSid,
        };
        await ConflictRetry.Run(() => commands.Execute<Conference>(conferenceSid, null, c => Conference.Decide(c, dialed), cancellationToken), ConferenceDecisions.ConflictAttempts, clock, cancellationToken);
    }

    /// <summary>Stores the dial's next attempt, owned by <paramref name="deliveryId"/>; false when this delivery may not attempt now.</summary>
    public async Task<bool> StartAttempt(string friendlyName, string requestId, string deliveryId, CancellationToken cancellationToken) =>
        (await Execute(friendlyName, null, r => r?.StartAttempt(requestId, deliveryId, clock.GetUtcNow()) ?? Verdict.Nothing, cancellationToken)).Stored;

    public Task DialFailed(Room room, ParticipantDialRequested dial, int code, string message, CancellationToken cancellationToken) =>
        Execute(room.FriendlyName, null, r => r?.Failed(dial.RequestId, code, message, clock.GetUtcNow()) ?? Verdict.Nothing, cancellationToken);

    /// <summary>The room by name and its current conference, if it has one yet.</summary>
    public async Task<(Room? Room, Conference? Conference)> Load(string friendlyName, CancellationToken cancellationToken)
    {
        var room = await commands.Load<Room>(Room.StreamId(friendlyName), cancellationToken);
        var conference = room?.ConferenceSid is { } sid ? await commands.Load<Conference>(sid, cancellationToken) : null;
        return (room, conference);
    }

    /// <summary>Decides on the room's stream; returns the refusal, if any, and whether anything was stored.</summary>
    private async Task<(CommandRejection? Rejection, bool Stored)> Execute(string friendlyName, string? messageId, Func<Room?, Verdict> decide, CancellationToken cancellationToken)
    {
        CommandRejection? rejection = null;
        var stored = await ConflictRetry.Run(() => commands.Execute<Room>(Room.StreamId(friendlyName), messageId, room =>
        {
            var verdict = decide(room);
            rejection = verdict.Rejection;
            return verdict.Decision;
        }, cancellationToken), ConferenceDecisions.ConflictAttempts, clock, cancellationToken);
        return (rejection, stored.Count > 0);
    }
}
