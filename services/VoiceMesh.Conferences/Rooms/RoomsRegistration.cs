using JasperFx.Events.Projections;
using Marten;
using MassTransit;
using VoiceMesh.Contracts.Numbers;
using VoiceMesh.ServiceDefaults;

namespace VoiceMesh.Conferences.Rooms;

/// <summary>Rooms by name: CreateConference and AddParticipant, and the dials the outbox performs at Twilio.</summary>
internal static class RoomsRegistration
{
    public static IHostApplicationBuilder AddRooms(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<TwilioParticipantDialer>();
        builder.Services.AddScoped<RoomCommands>();
        builder.Services.AddPooledCallerIds();
        builder.Services.ConfigureMarten(opts =>
        {
            opts.Events.AddEventType<RoomCreated>();
            opts.Events.AddEventType<ParticipantDialRequested>();
            opts.Events.AddEventType<ParticipantDialAttempted>();
            opts.Events.AddEventType<ParticipantDialSucceeded>();
            opts.Events.AddEventType<ParticipantDialFailed>();
            opts.Projections.Snapshot<Room>(SnapshotLifecycle.Inline);
        });
        builder.Services.AddConsumers(x =>
        {
            x.AddConsumer<CreateConferenceConsumer>();
            x.AddConsumer<AddParticipantConsumer>();
            x.AddConsumer<DialParticipantConsumer>(typeof(DialParticipantConsumerDefinition));
            x.AddRequestClient<AcquireCallerId>(RequestTimeout.After(s: 10)); // NumberPool answers within this, or the command fails
        });
        return builder;
    }

    /// <summary><c>POST /api/conferences</c> and <c>POST /api/conferences/{friendlyName}/participants</c>.</summary>
    public static RouteGroupBuilder MapRooms(this RouteGroupBuilder conferences) => conferences.MapRoomEndpoints();
}
