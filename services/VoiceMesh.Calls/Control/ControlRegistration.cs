using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Control;

/// <summary>Live-call control: HangUpCall and RedirectCall from the bus or the API, performed through the Twilio SDK.</summary>
internal static class ControlRegistration
{
    public static IHostApplicationBuilder AddCallControl(this IHostApplicationBuilder builder)
    {
        builder.Services.AddTwilioClient();
        builder.Services.AddScoped<TwilioCallControl>();
        builder.Services.AddConsumers(x =>
        {
            x.AddConsumer<HangUpCallConsumer>();
            x.AddConsumer<RedirectCallConsumer>();
        });
        return builder;
    }

    /// <summary><c>POST /api/calls/{callSid}/hangup</c> and <c>/redirect</c>.</summary>
    public static RouteGroupBuilder MapCallControl(this RouteGroupBuilder calls) => calls.MapControlEndpoints();
}
