using Marten;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Calls.MachineDetection;

/// <summary>Asynchronous answering-machine detection: the result on the call, and the machine action it asks for.</summary>
internal static class MachineDetectionRegistration
{
    public static IHostApplicationBuilder AddMachineDetection(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureMarten(opts =>
        {
            opts.Events.AddEventType<AnsweredByDetected>();
            opts.Events.AddEventType<MachineActionRequested>();
        });
        builder.Services.AddConsumers(x => x.AddConsumer<AnsweringMachineDetectionReceivedConsumer>(typeof(GroupedConsumerDefinition<AnsweringMachineDetectionReceivedConsumer>)));
        return builder;
    }
}
