using Marten;
using Microsoft.Extensions.Options;
using VoiceMesh.Recordings.Lifecycle;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Recordings.Retention;

/// <summary>
/// Retention: how long archived recordings are kept (policies by tenant, source and tag), legal holds, erasure
/// requests, and the purge job that performs them through the outbox (PurgeRecording).
/// </summary>
internal static class RetentionRegistration
{
    public static IHostApplicationBuilder AddRecordingRetention(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<RetentionOptions>();
        builder.Services.AddSingleton<IValidateOptions<RetentionOptions>, RetentionOptionsValidator>();
        builder.Services.ConfigureMarten(opts =>
        {
            opts.Events.AddEventType<RecordingTagged>();
            opts.Events.AddEventType<RetentionScheduled>();
            opts.Events.AddEventType<LegalHoldSet>();
            opts.Events.AddEventType<LegalHoldCleared>();
            opts.Events.AddEventType<PurgeRequested>();
            opts.Events.AddEventType<Purged>();

            // The purge job's query reads one indexed column instead of every recording's JSON.
            opts.Schema.For<Recording>().Duplicate(r => r.PurgeDueAt);
        });
        builder.Services.AddScoped<RecordingPurger>();
        builder.Services.AddPeriodicJob<RetentionPurge>(
            provider => provider.GetRequiredService<IOptions<RetentionOptions>>().Value.PurgeInterval, (job, ct) => job.RunOnce(ct));
        builder.Services.AddConsumers(x => x.AddConsumer<PurgeRecordingConsumer>());
        return builder;
    }

    /// <summary>Legal hold, tags and erasure requests.</summary>
    public static RouteGroupBuilder MapRecordingRetention(this RouteGroupBuilder recordings) => recordings.MapRetentionEndpoints();
}
