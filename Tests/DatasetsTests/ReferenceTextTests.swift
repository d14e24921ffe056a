@testable import Datasets
import XCTest

/// The markup the reference-text converters strip: POD formatting codes (nested, with escapes, links and several
/// angle brackets) and dictd's pronunciations and source notes.
final class ReferenceTextTests: XCTestCase {
    func testPODCodesBecomeTheirText() {
        XCTAssertEqual(Converter.podText("See C<perldoc --help> (or C<perldoc perldoc> or B<I<man>> perldoc)"),
                       "See perldoc --help (or perldoc perldoc or man perldoc)")
        XCTAssertEqual(Converter.podText("C<< $a <=> $b >> and E<lt>tagE<gt>, L<the manual|perlfunc/sort>X<sort>"),
                       "$a <=> $b and <tag>, the manual")
        XCTAssertEqual(Converter.podText("an unclosed C<code and B<bold> text"), "an unclosed C<code and bold text")
        // A link shorter than its code's text, at the end of the line and before another code.
        XCTAssertEqual(Converter.podText("see L<< the manual|perlfunc/sort >>"), "see the manual")
        XCTAssertEqual(Converter.podText("L<< a|perlfunc/sort >> and C<< $b >>"), "a and $b")
    }

    func testDictionaryMarkupIsStripped() {
        let line = "Abandon \\A*ban\"don\\, v. t. To give up. [1913 Webster]"
        XCTAssertEqual(Converter.strip(Converter.strip(line, between: "\\", and: "\\"), between: "[", and: "]"), "Abandon , v. t. To give up. ")
    }
}
