using VoiceMesh.Conferences.Control;
using VoiceMesh.Contracts.Conferences;

namespace VoiceMesh.Conferences.Tests;

public sealed class ConferenceCommandValidatorSpecs
{
    private static AddParticipant Add() => new()
    {
        RequestId = "r", FriendlyName = "standup", To = "+14155550100", From = "+15005550006", OccurredAt = RoomScript.Start,
    };

    private static CreateConference Create() => new() { RequestId = "r", FriendlyName = "standup", OccurredAt = RoomScript.Start };

    [Fact]
    public void Valid_commands_pass()
    {
        Assert.Null(ConferenceCommandValidator.Validate(Add()));
        Assert.Null(ConferenceCommandValidator.Validate(Create() with { MaxParticipants = 10, Region = "ie1", WaitUrl = "https://music.example.com/w.mp3" }));
        Assert.Null(ConferenceCommandValidator.Validate(Add() with { Role = ParticipantRole.Coach, CallSidToCoach = RoomScript.Call(1) }));
    }

    [Fact]
    public void The_first_invalid_field_is_named()
    {
        Assert.Equal("To", ConferenceCommandValidator.Validate(Add() with { To = "4155550100" })?.Field);
        Assert.Equal("From", ConferenceCommandValidator.Validate(Add() with { From = "" })?.Field);
        Assert.Equal("From", ConferenceCommandValidator.Validate(Add() with { From = null })?.Field);
        Assert.Equal("CallerIdPool", ConferenceCommandValidator.Validate(Add() with { CallerIdPool = "sales" })?.Field);
        Assert.Equal("CallerIdPool", ConferenceCommandValidator.Validate(Add() with { From = null, CallerIdPool = " " })?.Field);
        Assert.Null(ConferenceCommandValidator.Validate(Add() with { From = null, CallerIdPool = "sales" }));
        Assert.Equal("CallSidToCoach", ConferenceCommandValidator.Validate(Add() with { Role = ParticipantRole.Coach })?.Field);
        Assert.Equal("CallSidToCoach", ConferenceCommandValidator.Validate(Add() with { CallSidToCoach = RoomScript.Call(1) })?.Field);
        Assert.Equal("FriendlyName", ConferenceCommandValidator.Validate(Add() with { FriendlyName = new string('x', 129) })?.Field);
        Assert.Equal("RequestId", ConferenceCommandValidator.Validate(Create() with { RequestId = " " })?.Field);
        Assert.Equal("MaxParticipants", ConferenceCommandValidator.Validate(Create() with { MaxParticipants = 1 })?.Field);
        Assert.Equal("MaxParticipants", ConferenceCommandValidator.Validate(Create() with { MaxParticipants = 251 })?.Field);
        Assert.Equal("Region", ConferenceCommandValidator.Validate(Create() with { Region = "mars1" })?.Field);
        Assert.Equal("WaitUrl", ConferenceCommandValidator.Validate(Create() with { WaitUrl = "ftp://x" })?.Field);
        Assert.Equal("ConferenceSid", ConferenceCommandValidator.Validate("r", "CF12", RoomScript.Call(1))?.Field);
        Assert.Equal("CallSid", ConferenceCommandValidator.Validate("r", RoomScript.ConferenceSid, "CA12")?.Field);
        Assert.Equal("Url", ConferenceCommandValidator.Validate(new AnnounceToConference { RequestId = "r", ConferenceSid = RoomScript.ConferenceSid, Url = "nope", OccurredAt = RoomScript.Start })?.Field);
        Assert.Equal("CallSidToCoach", ConferenceCommandValidator.Validate(new CoachParticipant
        {
            RequestId = "r", ConferenceSid = RoomScript.ConferenceSid, CallSid = RoomScript.Call(1), CallSidToCoach = RoomScript.Call(1), OccurredAt = RoomScript.Start,
        })?.Field);
    }
}
