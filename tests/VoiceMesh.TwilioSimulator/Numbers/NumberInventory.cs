using System.Text;
using System.Text.RegularExpressions;
using VoiceMesh.TwilioSimulator.Rest;

namespace VoiceMesh.TwilioSimulator.Numbers;

/// <summary>What a number can do (Twilio's <c>capabilities</c>).</summary>
internal sealed record NumberCapabilities(bool Voice, bool Sms, bool Mms, bool Fax);

/// <summary>A number that can be bought, as AvailablePhoneNumbers lists it.</summary>
internal sealed record AvailableNumber(
    string PhoneNumber, string FriendlyName, string IsoCountry, string? Region, string? Locality, string? RateCenter,
    int? AreaCode, NumberCapabilities Capabilities);

/// <summary>The AvailablePhoneNumbers list a search asks for (<c>Local</c>, <c>TollFree</c> or <c>Mobile</c>).</summary>
internal enum NumberKind
{
    Local,
    TollFree,
    Mobile,
}

/// <summary>An AvailablePhoneNumbers search: the filters, and how many matches are wanted.</summary>
internal sealed record NumberSearch(
    string Country, NumberKind Kind, int? AreaCode = null, string? InRegion = null, string? Contains = null,
    bool? Voice = null, bool? Sms = null, bool? Mms = null, bool? Fax = null, int Wanted = 50);

/// <summary>A number the account owns (IncomingPhoneNumber). Mutable: use only under the inventory's lock.</summary>
internal sealed class OwnedNumber
{
    public required string Sid { get; init; }

    public required string AccountSid { get; init; }

    public required AvailableNumber Number { get; init; }

    public required DateTimeOffset DateCreated { get; init; }

    public DateTimeOffset DateUpdated { get; set; }

    public string FriendlyName { get; set; } = "";

    public string? VoiceUrl { get; set; }

    public string VoiceMethod { get; set; } = "POST";

    public string? VoiceFallbackUrl { get; set; }

    public string? StatusCallback { get; set; }

    public string StatusCallbackMethod { get; set; } = "POST";
}

/// <summary>
/// Twilio's number inventory, generated on demand rather than listed: any NANP area code libphonenumber knows offers
/// numbers (valid by its metadata, placed by its geocoder), enumerated in a fixed order per area code so a search is
/// repeatable and never lists a number twice or one that an account owns. Toll-free searches draw from the NANP
/// toll-free codes; GB local numbers come from Ofcom's drama range (020 7946 0xxx). Buying takes a number out,
/// releasing puts it back. Prefixes can be made unsellable (<see cref="RefusePurchases"/>), as a number another
/// buyer took between search and purchase is.
/// </summary>
internal sealed partial class NumberInventory(NanpGeography geography)
{
    /// <summary>Twilio's magic test number: always buyable, never listed.</summary>
    public const string MagicAvailable = "+15005550006";

    /// <summary>Twilio's magic test number that is always invalid.</summary>
    public const string MagicInvalid = "+15005550001";

    /// <summary>How many candidates a search looks at before it answers with what it found.</summary>
    private const int ScanLimit = 200_000;

    private static readonly int[] TollFreeCodes = [800, 833, 844, 855, 866, 877, 888];
    private static readonly NumberCapabilities LocalCapabilities = new(Voice: true, Sms: true, Mms: true, Fax: false);
    private static readonly NumberCapabilities TollFreeCapabilities = new(Voice: true, Sms: true, Mms: false, Fax: false);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, OwnedNumber> _owned = new(StringComparer.Ordinal);
    private readonly HashSet<string> _ownedNumbers = new(StringComparer.Ordinal);
    private readonly List<string> _refusedPrefixes = [];

    /// <summary>From now on, buying a number that starts with <paramref name="prefix"/> answers 21422 (not available).</summary>
    public void RefusePurchases(string prefix)
    {
        lock (_gate)
        {
            _refusedPrefixes.Add(prefix);
        }
    }

    /// <summary>Up to <see cref="NumberSearch.Wanted"/> numbers no account owns that match every filter, in a fixed order.</summary>
    public IReadOnlyList<AvailableNumber> Search(NumberSearch search)
    {
        var pattern = search.Contains is { Length: > 0 } contains ? ContainsPattern(contains) : null;
        var found = new List<AvailableNumber>();
        var scanned = 0;
        foreach (var candidate in Candidates(search))
        {
            if (++scanned > ScanLimit || found.Count >= search.Wanted)
            {
                break;
            }

            if (Matches(candidate, search, pattern) && !IsOwned(candidate.PhoneNumber))
            {
                found.Add(candidate);
            }
        }

        return found;
    }

    public (OwnedNumber? Number, TwilioError? Error) Buy(string accountSid, string? phoneNumber, int? areaCode, DateTimeOffset now)
    {
        AvailableNumber pick;
        if (phoneNumber is not null)
        {
            if (phoneNumber == MagicInvalid || !E164().IsMatch(phoneNumber) || phoneNumber != MagicAvailable && !geography.IsValid(phoneNumber))
            {
                return (null, TwilioError.Of(21421, 400, $"PhoneNumber {phoneNumber} is invalid"));
            }

            pick = Describe(phoneNumber);
        }
        else if (areaCode is not null)
        {
            if (Search(new NumberSearch("US", NumberKind.Local, areaCode, Wanted: 1)) is not [var first])
            {
                return (null, TwilioError.Of(21452, 400, $"No phone numbers found in area code {areaCode}"));
            }

            pick = first;
        }
        else
        {
            return (null, TwilioError.Of(21450, 400, "PhoneNumber or AreaCode is required"));
        }

        lock (_gate)
        {
            if ((pick.PhoneNumber != MagicAvailable && _ownedNumbers.Contains(pick.PhoneNumber))
                || _refusedPrefixes.Any(p => pick.PhoneNumber.StartsWith(p, StringComparison.Ordinal)))
            {
                return (null, TwilioError.Of(21422, 400, $"PhoneNumber {pick.PhoneNumber} requested is not available"));
            }

            var owned = new OwnedNumber
            {
                Sid = TwilioFormat.NewSid("PN"),
                AccountSid = accountSid,
                Number = pick,
                DateCreated = now,
                DateUpdated = now,
                FriendlyName = pick.FriendlyName,
            };
            _owned.Add(owned.Sid, owned);
            _ownedNumbers.Add(pick.PhoneNumber);
            return (owned, null);
        }
    }

    public IReadOnlyList<OwnedNumber> Owned(string accountSid)
    {
        lock (_gate)
        {
            return [.. _owned.Values.Where(n => n.AccountSid == accountSid).OrderByDescending(n => n.DateCreated)];
        }
    }

    /// <summary>Runs <paramref name="update"/> on an owned number under the inventory's lock.</summary>
    public T? With<T>(string accountSid, string sid, Func<OwnedNumber, T> update)
        where T : class
    {
        lock (_gate)
        {
            return _owned.TryGetValue(sid, out var number) && number.AccountSid == accountSid ? update(number) : null;
        }
    }

    public bool Release(string accountSid, string sid)
    {
        lock (_gate)
        {
            if (!_owned.TryGetValue(sid, out var number) || number.AccountSid != accountSid)
            {
                return false;
            }

            _owned.Remove(sid);
            if (!_owned.Values.Any(n => n.Number.PhoneNumber == number.Number.PhoneNumber))
            {
                _ownedNumbers.Remove(number.Number.PhoneNumber);
            }

            return true;
        }
    }

    private bool IsOwned(string phoneNumber)
    {
        lock (_gate)
        {
            return _ownedNumbers.Contains(phoneNumber);
        }
    }

    /// <summary>
    /// Candidates in a fixed order: the k-th number of an area code has exchange <c>200 + k mod 800</c> and a line
    /// number that steps through all 10,000 by a stride coprime with 10,000, so no two k give the same number. Several
    /// area codes are interleaved, so a search by region or country spreads over them.
    /// </summary>
    private IEnumerable<AvailableNumber> Candidates(NumberSearch search)
    {
        if (string.Equals(search.Country, "GB", StringComparison.OrdinalIgnoreCase))
        {
            if (search.Kind != NumberKind.Local)
            {
                yield break;
            }

            for (var line = 0; line < 1000; line++)
            {
                yield return new AvailableNumber(
                    $"+44207946{line:D4}", $"+44 20 7946 {line:D4}", "GB", "London", "London", "London", null, LocalCapabilities);
            }

            yield break;
        }

        var areaCodes = AreaCodes(search);
        if (areaCodes.Count == 0)
        {
            yield break;
        }

        for (var k = 0; k < 800 * 10_000; k++)
        {
            foreach (var areaCode in areaCodes)
            {
                var exchange = 200 + (k % 800);
                var line = ((k / 800 * 7919) + (areaCode * 31)) % 10_000;
                var phoneNumber = $"+1{areaCode}{exchange}{line:D4}";
                if (exchange % 100 != 11 && geography.IsValid(phoneNumber))
                {
                    yield return Describe(phoneNumber);
                }
            }
        }
    }

    private List<int> AreaCodes(NumberSearch search)
    {
        if (search.Kind == NumberKind.TollFree)
        {
            return string.Equals(search.Country, "US", StringComparison.OrdinalIgnoreCase)
                ? [.. TollFreeCodes.Where(c => search.AreaCode is null || c == search.AreaCode)]
                : [];
        }

        return [.. geography.Areas
            .Where(a => string.Equals(a.IsoCountry, search.Country, StringComparison.OrdinalIgnoreCase)
                && (search.AreaCode is null || a.AreaCode == search.AreaCode)
                && (search.InRegion is null || string.Equals(a.Region, search.InRegion, StringComparison.OrdinalIgnoreCase)))
            .Select(a => a.AreaCode)];
    }

    private AvailableNumber Describe(string phoneNumber)
    {
        if (!phoneNumber.StartsWith("+1", StringComparison.Ordinal) || phoneNumber.Length != 12)
        {
            return new AvailableNumber(phoneNumber, phoneNumber, "GB", "London", "London", "London", null, LocalCapabilities);
        }

        var areaCode = int.Parse(phoneNumber.AsSpan(2, 3), System.Globalization.CultureInfo.InvariantCulture);
        var friendly = $"({phoneNumber[2..5]}) {phoneNumber[5..8]}-{phoneNumber[8..]}";
        if (TollFreeCodes.Contains(areaCode) || phoneNumber == MagicAvailable)
        {
            return new AvailableNumber(phoneNumber, friendly, "US", null, null, null, areaCode, TollFreeCapabilities);
        }

        var area = geography.Area(areaCode);
        var locality = geography.Locality(phoneNumber) ?? area?.RegionName;
        return new AvailableNumber(
            phoneNumber, friendly, area?.IsoCountry ?? "US", area?.Region, locality, locality?.ToUpperInvariant(), areaCode, LocalCapabilities);
    }

    private static bool Matches(AvailableNumber number, NumberSearch search, Regex? contains) =>
        (contains is null || contains.IsMatch(number.PhoneNumber[1..]))
        && (search.Voice is null || search.Voice == number.Capabilities.Voice)
        && (search.Sms is null || search.Sms == number.Capabilities.Sms)
        && (search.Mms is null || search.Mms == number.Capabilities.Mms)
        && (search.Fax is null || search.Fax == number.Capabilities.Fax);

    /// <summary><c>Contains</c>: digits, letters (phone keypad) and <c>*</c> for any one digit, anywhere in the number.</summary>
    private static Regex ContainsPattern(string contains)
    {
        var pattern = new StringBuilder();
        foreach (var c in contains.ToUpperInvariant())
        {
            pattern.Append(c switch
            {
                '*' => "[0-9]",
                >= '0' and <= '9' => c.ToString(),
                >= 'A' and <= 'Z' => Keypad(c).ToString(),
                _ => "",
            });
        }

        return new Regex(pattern.ToString(), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    private static char Keypad(char letter) => letter switch
    {
        <= 'C' => '2',
        <= 'F' => '3',
        <= 'I' => '4',
        <= 'L' => '5',
        <= 'O' => '6',
        <= 'S' => '7',
        <= 'V' => '8',
        _ => '9',
    };

    [GeneratedRegex(@"^\+[1-9][0-9]{1,14}$", RegexOptions.CultureInvariant)]
    private static partial Regex E164();
}
