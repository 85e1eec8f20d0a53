using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using VoiceMesh.Contracts.MediaStreams;
using VoiceMesh.MediaStreams.Lifecycle;
using VoiceMesh.MediaStreams.Playback;
using VoiceMesh.MediaStreams.Protocol;
using VoiceMesh.MediaStreams.Restart;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.MediaStreams.Outbox;

/// <summary>
/// Forwards what the MediaStreams service stored to the bus from the event store itself (at least once, the stored
/// event's id as message id): a stream's start, speech boundaries, digits, dead air, clips played or interrupted, its end with statistics, and
/// the restart of a dropped stream (the RestartStreamAfterDrop command, then MediaStreamRestarted).
/// Runs in the async daemon on one instance at a time (HotCold). The mapping to contract events lives only here.
/// </summary>
public sealed class MediaStreamEventsPublisher : SubscriptionBase
{
    private readonly IBus _bus;

    public MediaStreamEventsPublisher(IBus bus)
    {
        _bus = bus;
        Name = "mediastreams-to-bus";
        IncludeType<StreamOpened>();
        IncludeType<SpeechBegan>();
        IncludeType<SpeechEnded>();
        IncludeType<DigitPressed>();
        IncludeType<DeadAir>();
        IncludeType<StreamClosed>();
        IncludeType<ClipPlayed>();
        IncludeType<ClipInterrupted>();
        IncludeType<StreamRestartRequested>();
        IncludeType<StreamRestarted>();
    }

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        // The call each stream belongs to, for the events that do not carry it: from this page, else from the store.
        var calls = page.Events.Select(e => e.Data).OfType<StreamOpened>().ToDictionary(e => e.StreamSid, e => e.CallSid, StringComparer.Ordinal);
        var messages = new List<OutboxMessage>();
        foreach (var stored in page.Events)
        {
            var streamSid = stored.StreamKey ?? "";
            if (!calls.TryGetValue(streamSid, out var callSid))
            {
                callSid = (await operations.LoadAsync<StreamLifecycle>(streamSid, cancellationToken))?.CallSid ?? "";
                calls[streamSid] = callSid;
            }

            if (Map(stored, callSid) is { } message)
            {
                messages.Add(new OutboxMessage(message, stored.Id, streamSid));
            }
        }

        await _bus.PublishPage(messages, cancellationToken);
        return NullChangeListener.Instance;
    }

    internal static object? Map(IEvent stored, string callSid) => stored.Data switch
    {
        StreamOpened e => new MediaStreamStarted
        {
            StreamSid = e.StreamSid,
            CallSid = e.CallSid,
            AccountSid = e.AccountSid,
            Tracks = [.. e.Tracks.Select(t => t.ToWire())],
            CustomParameters = e.CustomParameters,
            OccurredAt = e.OpenedAt,
        },
        SpeechBegan e => new SpeechStarted { StreamSid = e.StreamSid, CallSid = callSid, Track = e.Track.ToWire(), OffsetMs = e.OffsetMs, OccurredAt = e.At },
        SpeechEnded e => new SpeechStopped
        {
            StreamSid = e.StreamSid, CallSid = callSid, Track = e.Track.ToWire(), OffsetMs = e.OffsetMs, DurationMs = e.DurationMs, OccurredAt = e.At,
        },
        DigitPressed e => new DtmfReceived { StreamSid = e.StreamSid, CallSid = callSid, Track = e.Track.ToWire(), Digit = e.Digit, OffsetMs = e.OffsetMs, OccurredAt = e.At },
        DeadAir e => new SilenceDetected
        {
            StreamSid = e.StreamSid, CallSid = callSid, Track = e.Track.ToWire(), SinceOffsetMs = e.SinceOffsetMs, DurationMs = e.DurationMs, OccurredAt = e.At,
        },
        StreamClosed e => new MediaStreamStopped
        {
            StreamSid = e.StreamSid,
            CallSid = e.CallSid ?? callSid,
            Reason = e.Reason.ToWire(),
            Tracks = e.Tracks,
            MalformedMessages = e.MalformedMessages,
            OccurredAt = e.ClosedAt,
        },
        ClipPlayed e => new AudioPlayed { StreamSid = e.StreamSid, CallSid = callSid, ClipId = e.ClipId, PlayedMs = e.PlayedMs, OccurredAt = e.At },
        ClipInterrupted e => new AudioInterrupted
        {
            StreamSid = e.StreamSid,
            CallSid = callSid,
            ClipId = e.ClipId,
            Reason = e.Reason.ToWire(),
            PlayedMs = e.PlayedMs,
            PlayedAtSpeechMs = e.PlayedAtSpeechMs,
            OccurredAt = e.At,
        },
        StreamRestartRequested e => new RestartStreamAfterDrop
        {
            StreamSid = e.StreamSid, CallSid = e.CallSid, Track = RestartRegistration.TrackOf(e.Tracks), CustomParameters = e.CustomParameters, OccurredAt = e.DroppedAt,
        },
        StreamRestarted e => new MediaStreamRestarted
        {
            StreamSid = e.StreamSid, CallSid = e.CallSid, RestartedStreamSid = e.RestartedAs, DroppedAt = e.DroppedAt, OccurredAt = e.RestartedAt,
        },
        _ => null,
    };
}
