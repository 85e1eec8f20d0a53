using Twilio.Rest.Api.V2010.Account.Call;
using VoiceMesh.Contracts.MediaStreams;
using VoiceMesh.MediaStreams.Lifecycle;
using VoiceMesh.MediaStreams.Protocol;
using VoiceMesh.MediaStreams.Restart;

namespace VoiceMesh.MediaStreams.Tests;

public sealed class StreamRestartSpecs
{
    private const string StreamSid = "MZ0123456789abcdef0123456789abcdef";
    private const string RestartedSid = "MZfedcba9876543210fedcba9876543210";
    private const string CallSid = "CA0123456789abcdef0123456789abcdef";
    private static readonly DateTimeOffset At = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);
    private static readonly Dictionary<string, string> Parameters = new() { ["agent"] = "a1" };

    private static readonly StreamLifecycle Open = StreamLifecycle.Create(
        new StreamOpened(StreamSid, CallSid, "AC1", [MediaTrack.Inbound, MediaTrack.Outbound], Parameters, At));

    private static StreamClosed Closed(CloseReason reason) => new(StreamSid, CallSid, reason, [], 0, At.AddSeconds(3));

    [Theory]
    [InlineData(CloseReason.Dropped)]
    [InlineData(CloseReason.Closed)]
    public void A_stream_that_ends_without_stop_asks_for_its_restart_with_its_tracks_and_parameters(CloseReason reason)
    {
        var events = StreamLifecycle.Decide(Open, Closed(reason)).Events;

        Assert.Equal(2, events.Count);
        var requested = Assert.IsType<StreamRestartRequested>(events[1]);
        Assert.Equal((StreamSid, CallSid, At.AddSeconds(3)), (requested.StreamSid, requested.CallSid, requested.DroppedAt));
        Assert.Equal([MediaTrack.Inbound, MediaTrack.Outbound], requested.Tracks);
        Assert.Equal("a1", requested.CustomParameters["agent"]);
    }

    [Theory]
    [InlineData(CloseReason.Stopped)]
    [InlineData(CloseReason.ProtocolError)]
    public void A_stream_that_ended_with_stop_or_broke_the_protocol_is_not_restarted(CloseReason reason) =>
        Assert.Equal([Closed(reason)], StreamLifecycle.Decide(Open, Closed(reason)).Events);

    [Fact]
    public void What_became_of_a_restart_is_recorded_once_and_only_when_one_was_asked_for()
    {
        var restarted = new StreamRestarted(StreamSid, CallSid, RestartedSid, At.AddSeconds(3), At.AddSeconds(4));
        var skipped = new StreamRestartSkipped(StreamSid, CallSid, RestartSkipReason.CallEnded, At.AddSeconds(4));
        var dropped = Open.Apply(Closed(CloseReason.Dropped)).Apply((StreamRestartRequested)StreamLifecycle.Decide(Open, Closed(CloseReason.Dropped)).Events[1]);

        Assert.Empty(StreamLifecycle.Decide(Open.Apply(Closed(CloseReason.Stopped)), restarted).Events);
        Assert.Single(StreamLifecycle.Decide(dropped, restarted).Events);
        Assert.Empty(StreamLifecycle.Decide(dropped.Apply(restarted), restarted).Events);
        Assert.Empty(StreamLifecycle.Decide(dropped.Apply(restarted), skipped).Events);
        Assert.Equal(new RestartOutcome(At.AddSeconds(3), RestartedSid, null, At.AddSeconds(4)), dropped.Apply(restarted).Restart);
        Assert.Equal(RestartSkipReason.CallEnded, dropped.Apply(skipped).Restart?.Skipped);
    }

    [Fact]
    public void The_streams_create_goes_to_the_public_socket_with_the_same_track_and_parameters()
    {
        var restart = new RestartStreamAfterDrop
        {
            StreamSid = StreamSid, CallSid = CallSid, Track = RestartRegistration.TrackOf([MediaTrack.Inbound, MediaTrack.Outbound]),
            CustomParameters = new Dictionary<string, string> { ["agent"] = "a1", ["queue"] = "q" }, OccurredAt = At,
        };

        var create = RestartStreamAfterDropConsumer.Create(restart, new Uri("https://voice.example.com"));

        Assert.Equal((CallSid, new Uri("wss://voice.example.com/twilio/media")), (create.PathCallSid, create.Url));
        Assert.Equal(StreamResource.TrackEnum.BothTracks, create.Track);
        Assert.Equal(new Uri("https://voice.example.com/twilio/stream/status"), create.StatusCallback);
        Assert.Equal(("agent", "a1", "queue", "q"), (create.Parameter1Name, create.Parameter1Value, create.Parameter2Name, create.Parameter2Value));
        Assert.Equal("inbound_track", RestartRegistration.TrackOf([MediaTrack.Inbound]));
        Assert.Equal("outbound_track", RestartRegistration.TrackOf([MediaTrack.Outbound]));
    }
}
