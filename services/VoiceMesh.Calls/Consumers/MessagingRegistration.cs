using VoiceMesh.Calls.Control;
using VoiceMesh.Calls.Placement;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.Consumers;

internal static class MessagingRegistration
{
    public static IHostApplicationBuilder AddCallsMessaging(this IHostApplicationBuilder builder) =>
        builder.AddMessaging(x =>
        {
            x.AddConsumer<CallStatusCallbackReceivedConsumer>();
            x.AddConsumer<PlaceCallConsumer>(typeof(PlaceCallConsumerDefinition));
            x.AddConsumer<AnsweringMachineDetectionReceivedConsumer>();
            x.AddConsumer<HangUpCallConsumer>();
            x.AddConsumer<RedirectCallConsumer>();
        });
}
