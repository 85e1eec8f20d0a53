using Twilio.Clients;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;

namespace VoiceMesh.TwilioSimulator.Fidelity;

/// <summary>
/// The contract: what Twilio documents for these requests with test credentials (the magic numbers of its "Test
/// Credentials" page) and for the REST API's request and authentication errors.
/// </summary>
internal static class ContractCases
{
    private const string ValidFrom = "+15005550006";
    private const string ValidTo = "+14108675310";
    private const string UnknownCallSid = "CA00000000000000000000000000000000";
    private const string WrongAuthToken = "00000000000000000000000000000000";
    private const string AnswerTwiml = "<Response><Say>VoiceMesh fidelity check</Say></Response>";

    public static IReadOnlyList<ContractCase> Create() =>
    [
        new("Calls create From +15005550006 To a valid number", Expectation.Created("queued"),
            target => CreateCallAsync(target.CreateClient(), ValidFrom, ValidTo)),
        new("Calls create To +15005550001 (invalid)", Expectation.Error(400, 21217),
            target => CreateCallAsync(target.CreateClient(), ValidFrom, "+15005550001")),
        new("Calls create To +15005550002 (cannot be routed)", Expectation.Error(400, 21214),
            target => CreateCallAsync(target.CreateClient(), ValidFrom, "+15005550002")),
        new("Calls create To +15005550003 (no geo permission)", Expectation.Error(400, 21215),
            target => CreateCallAsync(target.CreateClient(), ValidFrom, "+15005550003")),
        new("Calls create To +15005550004 (blocked)", Expectation.Error(400, 21216),
            target => CreateCallAsync(target.CreateClient(), ValidFrom, "+15005550004")),
        new("Calls create From +15005550001 (invalid)", Expectation.Error(400, 21212),
            target => CreateCallAsync(target.CreateClient(), "+15005550001", ValidTo)),
        new("Calls create From +15005550007 (not owned or verified)", Expectation.Error(400, 21210),
            target => CreateCallAsync(target.CreateClient(), "+15005550007", ValidTo)),
        new("Calls create without Url or Twiml", Expectation.Error(400, 21205),
            target => Observe.CallAsync(target.CreateClient(), client => CallResource.CreateAsync(
                new CreateCallOptions(new PhoneNumber(ValidTo), new PhoneNumber(ValidFrom)), client))),
        new("IncomingPhoneNumbers create +15005550006", Expectation.Created(),
            target => BuyNumberAsync(target.CreateClient(), "+15005550006")),
        new("IncomingPhoneNumbers create +15005550000 (unavailable)", Expectation.Error(400, 21422),
            target => BuyNumberAsync(target.CreateClient(), "+15005550000")),
        new("IncomingPhoneNumbers create +15005550001 (invalid)", Expectation.Error(400, 21421),
            target => BuyNumberAsync(target.CreateClient(), "+15005550001")),
        new("Calls fetch of an unknown sid", Expectation.Error(404, 20404),
            target => Observe.CallAsync(target.CreateClient(), client => CallResource.FetchAsync(
                new FetchCallOptions(UnknownCallSid), client)))
        {
            SimulatorOnly = "test credentials only create Calls, IncomingPhoneNumbers and Messages; Twilio answers 403",
        },
        new("Calls create with a wrong auth token", Expectation.Error(401, 20003),
            target => CreateCallAsync(target.CreateClient(WrongAuthToken), ValidFrom, ValidTo)),
    ];

    private static Task<Observation> CreateCallAsync(TwilioRestClient client, string from, string to) =>
        Observe.CallAsync(client, c => CallResource.CreateAsync(
            new CreateCallOptions(new PhoneNumber(to), new PhoneNumber(from)) { Twiml = new Twiml(AnswerTwiml) }, c));

    private static Task<Observation> BuyNumberAsync(TwilioRestClient client, string phoneNumber) =>
        Observe.NumberAsync(client, c => IncomingPhoneNumberResource.CreateAsync(
            new CreateIncomingPhoneNumberOptions { PhoneNumber = new PhoneNumber(phoneNumber) }, c));
}
