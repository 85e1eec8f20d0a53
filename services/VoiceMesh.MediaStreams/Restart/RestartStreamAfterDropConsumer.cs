using Marten;
using MassTransit;
using Microsoft.Extensions.Options;
using Twilio.Clients;
using Twilio.Exceptions;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Rest.Api.V2010.Account.Call;
using VoiceMesh.Contracts.MediaStreams;
using VoiceMesh.MediaStreams.Lifecycle;
using VoiceMesh.MediaStreams.Streaming;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.MediaStreams.Restart;

/// <summary>
/// Restarts a dropped one-way stream through Twilio's Streams REST resource (<c>StreamResource.CreateAsync</c>) and
/// records the new stream on the dropped one. Twilio's state is checked first: a call that is no longer in progress
/// is not restarted, and a stream whose restart is already recorded is left alone, so a redelivery changes nothing.
/// </summary>
public sealed partial class RestartStreamAfterDropConsumer(
    StreamCommands commands, IQuerySession query, ITwilioRestClient twilio, IOptions<StreamRestartOptions> options, TimeProvider clock,
    ILogger<RestartStreamAfterDropConsumer> logger) : IConsumer<RestartStreamAfterDrop>
{
    /// <summary>Twilio's "call is not in progress" error.</summary>
    private const int CallNotInProgress = 21220;

    /// <summary>Twilio's Streams create takes at most this many <c>ParameterN</c> pairs.</summary>
    private const int MaxParameters = 99;

    public async Task Consume(ConsumeContext<RestartStreamAfterDrop> context)
    {
        var restart = context.Message;
        var stream = await query.LoadAsync<StreamLifecycle>(restart.StreamSid, context.CancellationToken);
        if (stream?.Restart is not { RestartedAs: null, Skipped: null })
        {
            return;
        }

        var messageId = context.MessageId?.ToString("N") ?? restart.StreamSid;
        var outcome = await Restart(restart, stream.Restart.DroppedAt, context.CancellationToken);
        await commands.Execute<StreamLifecycle>(restart.StreamSid, messageId, s => StreamLifecycle.Decide(s, outcome), context.CancellationToken);
    }

    private async Task<object> Restart(RestartStreamAfterDrop restart, DateTimeOffset droppedAt, CancellationToken cancellationToken)
    {
        if (options.Value.PublicBaseUrl is not { } baseUrl)
        {
            LogSkipped(restart.StreamSid, restart.CallSid, RestartSkipReason.NotConfigured);
            return new StreamRestartSkipped(restart.StreamSid, restart.CallSid, RestartSkipReason.NotConfigured, clock.GetUtcNow());
        }

        try
        {
            var call = await CallResource.FetchAsync(restart.CallSid, client: twilio);
            if (call.Status != CallResource.StatusEnum.InProgress)
            {
                return Skipped(restart, RestartSkipReason.CallEnded);
            }

            var created = await StreamResource.CreateAsync(Create(restart, new Uri(baseUrl)), twilio);
            LogRestarted(restart.StreamSid, restart.CallSid, created.Sid);
            return new StreamRestarted(restart.StreamSid, restart.CallSid, created.Sid, droppedAt, clock.GetUtcNow());
        }
        catch (ApiException ex) when (ex.Code is TwilioErrors.NotFound or CallNotInProgress)
        {
            return Skipped(restart, RestartSkipReason.CallEnded);
        }
        catch (ApiException ex) when (!TwilioErrors.IsTransient(ex))
        {
            LogRefused(restart.StreamSid, restart.CallSid, ex.Code, ex.Message);
            return Skipped(restart, RestartSkipReason.Refused);
        }
    }

    private StreamRestartSkipped Skipped(RestartStreamAfterDrop restart, RestartSkipReason reason)
    {
        LogSkipped(restart.StreamSid, restart.CallSid, reason);
        return new StreamRestartSkipped(restart.StreamSid, restart.CallSid, reason, clock.GetUtcNow());
    }

    /// <summary>The Streams create: the same track and parameters, to this service's public WebSocket URL, reporting to the gateway.</summary>
    internal static CreateStreamOptions Create(RestartStreamAfterDrop restart, Uri publicBaseUrl)
    {
        var socket = new UriBuilder(publicBaseUrl) { Scheme = "wss", Port = -1, Path = StreamingRegistration.Path }.Uri;
        var create = new CreateStreamOptions(restart.CallSid, socket)
        {
            Track = restart.Track switch
            {
                "outbound_track" => StreamResource.TrackEnum.OutboundTrack,
                "both_tracks" => StreamResource.TrackEnum.BothTracks,
                _ => StreamResource.TrackEnum.InboundTrack,
            },
            StatusCallback = new Uri(publicBaseUrl, "/twilio/stream/status"),
        };
        var n = 0;
        foreach (var (name, value) in restart.CustomParameters.Take(MaxParameters))
        {
            n++;
            typeof(CreateStreamOptions).GetProperty($"Parameter{n}Name")!.SetValue(create, name);
            typeof(CreateStreamOptions).GetProperty($"Parameter{n}Value")!.SetValue(create, value);
        }

        return create;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {StreamSid} of call {CallSid} dropped and was restarted as {RestartedAs}")]
    private partial void LogRestarted(string streamSid, string callSid, string restartedAs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {StreamSid} of call {CallSid} dropped and is not restarted: {Reason}")]
    private partial void LogSkipped(string streamSid, string callSid, RestartSkipReason reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Twilio refused to restart stream {StreamSid} of call {CallSid}: {Code} {Message}")]
    private partial void LogRefused(string streamSid, string callSid, int code, string message);
}
