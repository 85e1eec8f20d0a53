using System.Collections.Frozen;
using PhoneNumbers;

namespace VoiceMesh.TwilioSimulator.Numbers;

/// <summary>Where a NANP area code is: its country and state or province, from libphonenumber's geocoding data.</summary>
internal sealed record NanpArea(int AreaCode, string IsoCountry, string Region, string RegionName);

/// <summary>
/// The NANP area codes in service and where they are, read once from libphonenumber (its metadata says which
/// numbers are valid, its offline geocoder names the state or province). Twilio's <c>region</c> field is the
/// two-letter code, so the geocoder's names are mapped to it here.
/// </summary>
internal sealed class NanpGeography
{
    private static readonly int[] ProbeExchanges = [200, 234, 345, 456, 555, 678, 789];

    private static readonly FrozenDictionary<string, string> RegionCodes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Alabama"] = "AL", ["Alaska"] = "AK", ["Arizona"] = "AZ", ["Arkansas"] = "AR", ["California"] = "CA",
        ["Colorado"] = "CO", ["Connecticut"] = "CT", ["Delaware"] = "DE", ["Florida"] = "FL", ["Georgia"] = "GA",
        ["Hawaii"] = "HI", ["Idaho"] = "ID", ["Illinois"] = "IL", ["Indiana"] = "IN", ["Iowa"] = "IA", ["Kansas"] = "KS",
        ["Kentucky"] = "KY", ["Louisiana"] = "LA", ["Maine"] = "ME", ["Maryland"] = "MD", ["Massachusetts"] = "MA",
        ["Michigan"] = "MI", ["Minnesota"] = "MN", ["Mississippi"] = "MS", ["Missouri"] = "MO", ["Montana"] = "MT",
        ["Nebraska"] = "NE", ["Nevada"] = "NV", ["New Hampshire"] = "NH", ["New Jersey"] = "NJ", ["New Mexico"] = "NM",
        ["New York"] = "NY", ["North Carolina"] = "NC", ["North Dakota"] = "ND", ["Ohio"] = "OH", ["Oklahoma"] = "OK",
        ["Oregon"] = "OR", ["Pennsylvania"] = "PA", ["Rhode Island"] = "RI", ["South Carolina"] = "SC",
        ["South Dakota"] = "SD", ["Tennessee"] = "TN", ["Texas"] = "TX", ["Utah"] = "UT", ["Vermont"] = "VT",
        ["Virginia"] = "VA", ["Washington State"] = "WA", ["Washington"] = "WA", ["West Virginia"] = "WV",
        ["Wisconsin"] = "WI", ["Wyoming"] = "WY", ["Washington D.C."] = "DC", ["Washington DC"] = "DC",
        ["Alberta"] = "AB", ["British Columbia"] = "BC", ["Manitoba"] = "MB", ["New Brunswick"] = "NB",
        ["Newfoundland and Labrador"] = "NL", ["Nova Scotia"] = "NS", ["Ontario"] = "ON", ["Prince Edward Island"] = "PE",
        ["Quebec"] = "QC", ["Saskatchewan"] = "SK", ["Northwest Territories"] = "NT", ["Nunavut"] = "NU", ["Yukon"] = "YT",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly PhoneNumberUtil _util = PhoneNumberUtil.GetInstance();
    private readonly PhoneNumberOfflineGeocoder _geocoder = PhoneNumberOfflineGeocoder.GetInstance();
    private readonly FrozenDictionary<int, NanpArea> _areas;

    public NanpGeography()
    {
        var areas = new Dictionary<int, NanpArea>();
        for (var areaCode = 200; areaCode <= 999; areaCode++)
        {
            if (Locate(areaCode) is { } area)
            {
                areas[areaCode] = area;
            }
        }

        _areas = areas.ToFrozenDictionary();
    }

    /// <summary>Every geographic area code, by code.</summary>
    public IEnumerable<NanpArea> Areas => _areas.Values.OrderBy(a => a.AreaCode);

    public NanpArea? Area(int areaCode) => _areas.GetValueOrDefault(areaCode);

    /// <summary>Whether libphonenumber holds <paramref name="e164"/> a valid number.</summary>
    public bool IsValid(string e164)
    {
        try
        {
            return _util.IsValidNumber(_util.Parse(e164, null));
        }
        catch (NumberParseException)
        {
            return false;
        }
    }

    /// <summary>The city the geocoder names for a number (<c>San Francisco, CA</c>), else null.</summary>
    public string? Locality(string e164)
    {
        var description = _geocoder.GetDescriptionForNumber(_util.Parse(e164, null), Locale.English);
        var comma = description.LastIndexOf(", ", StringComparison.Ordinal);
        return comma > 0 ? description[..comma] : null;
    }

    private NanpArea? Locate(int areaCode)
    {
        foreach (var exchange in ProbeExchanges)
        {
            var number = _util.Parse($"+1{areaCode}{exchange}1234", null);
            if (!_util.IsValidNumber(number) || _util.GetNumberType(number) is PhoneNumberType.TOLL_FREE or PhoneNumberType.PERSONAL_NUMBER)
            {
                continue;
            }

            var description = _geocoder.GetDescriptionForNumber(number, Locale.English);
            var comma = description.LastIndexOf(", ", StringComparison.Ordinal);
            var name = comma > 0 ? RegionCodes.FirstOrDefault(r => r.Value == description[(comma + 2)..]).Key ?? description[(comma + 2)..] : description;
            if (RegionCodes.TryGetValue(name, out var code))
            {
                return new NanpArea(areaCode, _util.GetRegionCodeForNumber(number), code, name);
            }
        }

        return null;
    }
}
