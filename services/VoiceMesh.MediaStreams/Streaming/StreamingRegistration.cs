using System.ComponentModel.DataAnnotations;
using Marten;
using Microsoft.Extensions.Options;
using VoiceMesh.MediaStreams.Lifecycle;
using VoiceMesh.MediaStreams.Processing;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.MediaStreams.Streaming;

/// <summary>The Media Streams WebSocket endpoint (<c>/twilio/media</c>, behind the gateway), its processors and live counters.</summary>
internal static class StreamingRegistration
{
    /// <summary>The path Twilio's <c>&lt;Stream url&gt;</c> names; the gateway validates the upgrade and proxies it here.</summary>
    public const string Path = "/twilio/media";

    public static IHostApplicationBuilder AddMediaStreaming(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<MediaStreamsOptions>();
        builder.Services.AddSingleton<IValidateOptions<MediaStreamsOptions>, MediaStreamsOptionsValidator>();
        builder.Services.AddSingleton<StreamRegistry>();
        builder.Services.AddSingleton<MediaStreamsMetrics>();
        builder.Services.AddSingleton<SileroModel>();
        builder.Services.AddSingleton<IMediaProcessorFactory, VoiceActivityFactory>();
        builder.Services.AddSingleton<IMediaProcessorFactory, WavRecorderFactory>();
        builder.Services.ConfigureMarten(opts =>
        {
            opts.Events.AddEventType<StreamOpened>();
            opts.Events.AddEventType<SpeechBegan>();
            opts.Events.AddEventType<SpeechEnded>();
            opts.Events.AddEventType<DigitPressed>();
            opts.Events.AddEventType<DeadAir>();
            opts.Events.AddEventType<StreamClosed>();
            opts.Events.AddEventType<StreamReported>();
            opts.Projections.Snapshot<StreamLifecycle>(JasperFx.Events.Projections.SnapshotLifecycle.Inline);
        });
        builder.Services.AddConsumers(x => x.AddConsumer<StreamStatusCallbackReceivedConsumer>());
        return builder;
    }

    public static WebApplication MapMediaStreaming(this WebApplication app)
    {
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(15) });
        app.Map(Path, Accept);
        return app;
    }

    private static async Task Accept(HttpContext context, IServiceProvider services)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "WebSocket required",
                detail: $"{Path} is Twilio's Media Streams WebSocket.").ExecuteAsync(context);
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        using var connection = ActivatorUtilities.CreateInstance<MediaStreamConnection>(services, socket, services.GetRequiredService<IOptions<MediaStreamsOptions>>().Value);
        await connection.Run(context.RequestAborted);
    }
}

/// <summary>The nested VAD settings, and both VADs' hysteresis the right way round.</summary>
internal sealed class MediaStreamsOptionsValidator : IValidateOptions<MediaStreamsOptions>
{
    public ValidateOptionsResult Validate(string? name, MediaStreamsOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options.VoiceActivity, new ValidationContext(options.VoiceActivity), results, validateAllProperties: true);
        var failures = results.Select(r => $"MediaStreams:VoiceActivity: {r.ErrorMessage}").ToList();
        results.Clear();
        Validator.TryValidateObject(options.Silero, new ValidationContext(options.Silero), results, validateAllProperties: true);
        failures.AddRange(results.Select(r => $"MediaStreams:Silero: {r.ErrorMessage}"));
        results.Clear();
        Validator.TryValidateObject(options.Recorder, new ValidationContext(options.Recorder), results, validateAllProperties: true);
        failures.AddRange(results.Select(r => $"MediaStreams:Recorder: {r.ErrorMessage}"));
        if (options.Silero.StopProbability > options.Silero.StartProbability)
        {
            failures.Add("MediaStreams:Silero:StopProbability must not be above StartProbability.");
        }

        if (options.VoiceActivity.StopDbfs > options.VoiceActivity.StartDbfs)
        {
            failures.Add("MediaStreams:VoiceActivity:StopDbfs must not be above StartDbfs.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
