using JasperFx.Events.Projections;
using Marten;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Domain;

internal static class MartenRegistration
{
    public static IHostApplicationBuilder AddCallsMarten(this IHostApplicationBuilder builder)
    {
        builder.AddMartenStore("calls", opts =>
        {
            opts.UseSystemTextJsonForSerialization();
            opts.Events.AddEventType<CallStatusReported>();
            opts.Projections.Snapshot<Call>(SnapshotLifecycle.Inline);
        });
        return builder;
    }
}
