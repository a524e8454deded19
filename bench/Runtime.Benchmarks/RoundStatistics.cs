using System;
using System.Collections.Generic;
using System.Linq;

namespace Bench;

/// <summary>
/// The summary of per-round time ratios (candidate / baseline) that the interleaved modes print: the median, the
/// interquartile range of the ratios themselves (how much one round says), and a percentile-bootstrap 95% confidence
/// interval of the median (how precisely the whole run pins the median down). The interval assumes the rounds are
/// independent; that holds only when no single connection decides every round, which is why the attached rows use
/// fresh connections per round (see <see cref="Interleaved"/>).
/// </summary>
internal readonly record struct RoundStatistics(double Median, double Q1, double Q3, double Low95, double High95, int CandidateFaster, int Rounds)
{
    private const int Resamples = 2000;

    public static RoundStatistics Of(IReadOnlyList<double> ratios)
    {
        double[] sorted = ratios.OrderBy(r => r).ToArray();

        // A fixed seed: the same rounds always give the same interval, so two runs differ only by their measurements.
        var random = new Random(20261127);
        double[] medians = new double[Resamples];
        double[] sample = new double[sorted.Length];
        for (int i = 0; i < Resamples; i++)
        {
            for (int j = 0; j < sample.Length; j++)
            {
                sample[j] = sorted[random.Next(sorted.Length)];
            }
            Array.Sort(sample);
            medians[i] = Quantile(sample, 0.5);
        }
        Array.Sort(medians);

        return new RoundStatistics(
            Quantile(sorted, 0.5), Quantile(sorted, 0.25), Quantile(sorted, 0.75),
            Quantile(medians, 0.025), Quantile(medians, 0.975),
            sorted.Count(r => r < 1), sorted.Length);
    }

    /// <summary>Linear interpolation between the closest ranks (the same definition as Excel's QUARTILE.INC).</summary>
    public static double Quantile(double[] sorted, double p)
    {
        double position = p * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }
}
