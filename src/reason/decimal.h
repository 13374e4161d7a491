// Non-negative integers of any length as decimal digit strings ("0", "12345"), for the
// multi-digit arithmetic task: ground truth past int64 and the column-by-column worked
// solutions (carries, borrows, partial products) come from the same schoolbook steps.
#pragma once
#include <string>
#include <string_view>

namespace seek::reason {

// True for a canonical non-negative integer: ASCII digits, no sign, no leading zero ("0" alone).
bool is_canonical_decimal(std::string_view s);
int compare_decimal(std::string_view a, std::string_view b);  // -1, 0, 1
std::string add_decimal(std::string_view a, std::string_view b);
std::string sub_decimal(std::string_view a, std::string_view b);  // needs a >= b
std::string mul_decimal(std::string_view a, std::string_view b);
std::string mul_decimal_digit(std::string_view a, int digit);  // digit in 0..9

}  // namespace seek::reason
